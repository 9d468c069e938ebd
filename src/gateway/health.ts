import type { GatewayLogger } from './logger.ts';

export interface HealthMonitorConfig {
  enabled: boolean;
  interval: number;
  timeout: number;
  idleTimeout: number;
}

export interface HealthMonitor {
  /** A meta-tool was called: wake up (if asleep) and push the sleep deadline back. */
  touch(): void;
  /** After a reload: new settings, and an immediate probe if awake. */
  restart(cfg: HealthMonitorConfig): void;
  readonly awake: boolean;
  close(): void;
}

/**
 * Activity-driven probing: asleep at start, awake from the first meta-tool call, asleep
 * again after `idleTimeout` without calls, so an unused gateway touches nothing.
 */
export function createHealthMonitor(
  initial: HealthMonitorConfig,
  probe: (timeoutMs: number) => Promise<void>,
  logger: GatewayLogger,
): HealthMonitor {
  let cfg = initial;
  let timer: NodeJS.Timeout | undefined;
  let lastActivity = 0;
  let probing = false;
  const sleep = () => {
    clearInterval(timer);
    timer = undefined;
  };
  const tick = async () => {
    if (cfg.idleTimeout > 0 && Date.now() - lastActivity >= cfg.idleTimeout) {
      logger.debug('health monitor going to sleep');
      sleep();
      return;
    }
    if (probing) return;
    probing = true;
    try {
      await probe(cfg.timeout);
    } catch (err) {
      logger.error('health probe failed', { error: err instanceof Error ? err.message : String(err) });
    } finally {
      probing = false;
    }
  };
  const wake = () => {
    if (timer || !cfg.enabled) return;
    logger.debug('health monitor awake');
    timer = setInterval(() => void tick(), cfg.interval);
    timer.unref();
  };
  return {
    touch() {
      lastActivity = Date.now();
      wake();
    },
    restart(next) {
      const wasAwake = timer !== undefined;
      sleep();
      cfg = next;
      if (wasAwake) {
        wake();
        void tick();
      }
    },
    get awake() {
      return timer !== undefined;
    },
    close: sleep,
  };
}
