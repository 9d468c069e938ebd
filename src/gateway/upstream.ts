import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  type CallToolResult,
  EmptyResultSchema,
  ErrorCode,
  ListToolsResultSchema,
  type LoggingLevel,
  LoggingMessageNotificationSchema,
  McpError,
  type Tool as McpTool,
  type Progress,
  PromptListChangedNotificationSchema,
  ResourceListChangedNotificationSchema,
  ResourceUpdatedNotificationSchema,
  type ServerCapabilities,
  type ServerNotification,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import type { z } from 'zod';
import type { ServerConfig } from '../config/servers-config.ts';
import { DOWNSTREAM_SIDE, dumpBodies } from './body-dump.ts';
import type { Cancellation } from './cancellation.ts';
import { ChildTransport } from './child-transport.ts';
import { DownstreamError } from './downstream-error.ts';
import { checkCallToolResult, markValidated, UncheckedResultSchema } from './lean-jsonrpc.ts';
import type { GatewayLogger } from './logger.ts';
import { cancelledError, ForwardedAnswer, RawChannel } from './raw-channel.ts';
import type { RemoteAuth } from './remote-connect.ts';
import { renewClientState } from './renew-client-state.ts';

// Remote transports (and their OAuth) load with the first remote server, not at start-up.
const remoteConnect = () => import('./remote-connect.ts');

export type Health = 'unknown' | 'starting' | 'healthy' | 'unhealthy' | 'disabled' | 'config_error';
export type DownstreamTool = McpTool;
export { DownstreamError };

export interface UpstreamStatus {
  health: Health;
  running: boolean;
  lastError: string | undefined;
  toolCount: number | undefined;
  pid: number | undefined;
}

export interface CallOptions {
  signal?: AbortSignal;
  /** The raw front's cancellation, in place of `signal`. */
  cancellation?: Cancellation;
  onProgress?: (progress: Progress) => void;
}

export interface UpstreamDeps {
  logger: GatewayLogger;
  baseEnv: Readonly<Record<string, string | undefined>>;
  /** OAuth for remote servers with an `oauth` block. */
  auth?: RemoteAuth;
  /** Called when the server's tool list changed (notification, restart). */
  onToolsChanged?: () => void;
  /** Resource, prompt and logging notifications from the server, for clients to relay. */
  onNotification?: (server: string, notification: ServerNotification) => void;
  /** tools/call over the raw channel (default), or through the SDK Client (servers.json `forwarding`). */
  forwarding?: () => 'raw' | 'sdk';
}

interface Connection {
  client: Client;
  transport: Transport;
  /** tools/call past the SDK Client, over the same transport. */
  raw: RawChannel;
}

/** A forwarded result must at least be an object, or the client could not read it. */
function checkedAnswer(answer: ForwardedAnswer): ForwardedAnswer {
  const { result } = answer;
  if (typeof result !== 'object' || result === null || Array.isArray(result)) {
    throw new Error(`its tools/call result is not a JSON object: ${JSON.stringify(result)?.slice(0, 100)}`);
  }
  return answer;
}

/** One downstream server's life: lazy start, cached tools, calls, idle stop, crash and restart. */
export class Upstream {
  private connection: Connection | undefined;
  private connecting: Promise<Connection> | undefined;
  private tools: DownstreamTool[] | undefined;
  private health: Health;
  private lastError: string | undefined;
  private inFlight = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Bumps on every new connection, so a stale close event cannot tear down a fresh one. */
  private generation = 0;
  /** Resource subscriptions held for clients (URI → clients), renewed after a restart. */
  private readonly subscriptions = new Map<string, number>();
  /** The log level clients asked for, applied to every new connection. */
  private logLevel: LoggingLevel | undefined;

  constructor(
    private cfg: ServerConfig,
    private readonly deps: UpstreamDeps,
  ) {
    const config = cfg;
    this.health = config.configError ? 'config_error' : config.enabled ? 'unknown' : 'disabled';
    this.lastError = config.configError;
  }

  get config(): ServerConfig {
    return this.cfg;
  }

  /** A reload changed only what does not touch the connection (description, tags, permissions). */
  updateConfig(next: ServerConfig): void {
    this.cfg = next;
  }

  get name(): string {
    return this.config.name;
  }

  status(): UpstreamStatus {
    const transport = this.connection?.transport;
    return {
      health: this.health,
      running: this.connection !== undefined,
      lastError: this.lastError,
      toolCount: this.tools?.length,
      pid: transport instanceof ChildTransport ? transport.process?.pid : undefined,
    };
  }

  /** Whether a call can be attempted at all (not disabled, config valid). */
  unavailableReason(): string | undefined {
    if (this.config.configError) {
      return `server "${this.name}" has a configuration error: ${this.config.configError}. Fix servers.json and reload.`;
    }
    if (!this.config.enabled) return `server "${this.name}" is disabled ("enabled": false in servers.json).`;
    if (this.closed) return `server "${this.name}" was removed or the gateway is shutting down.`;
    return undefined;
  }

  cachedTools(): readonly DownstreamTool[] | undefined {
    return this.tools;
  }

  /** The server's tools, from the cache or by asking it (which starts it if needed). */
  async listTools(opts: CallOptions & { timeoutMs?: number } = {}): Promise<readonly DownstreamTool[]> {
    if (this.tools) return this.tools;
    return this.track(async () => {
      const { client } = await this.connect();
      const tools: DownstreamTool[] = [];
      let cursor: string | undefined;
      do {
        const page = await client.request(
          { method: 'tools/list', params: cursor ? { cursor } : {} },
          ListToolsResultSchema,
          { timeout: opts.timeoutMs ?? this.config.requestTimeoutMs, signal: opts.signal },
        );
        tools.push(...page.tools);
        cursor = page.nextCursor;
      } while (cursor);
      this.tools = tools;
      this.markHealthy();
      return tools;
    });
  }

  /**
   * Calls one tool; progress from the server resets the timeout and is passed on. The answer
   * is checked as CallToolResultSchema would (the front need not do it again).
   */
  async callTool(
    name: string,
    args: Record<string, unknown>,
    opts: CallOptions = {},
  ): Promise<CallToolResult> {
    if (this.deps.forwarding?.() === 'sdk') {
      return markValidated(
        await this.request(
          'tools/call',
          { name, arguments: args },
          UncheckedResultSchema,
          opts,
          checkCallToolResult,
        ),
      );
    }
    return markValidated(
      await this.forward(name, args, opts, (answer) => checkCallToolResult(answer.result)),
    );
  }

  /**
   * Calls one tool and returns its answer as the server sent it, for a front that passes the
   * bytes on: parsed but not validated, except that the result must be an object.
   */
  forwardTool(name: string, args: Record<string, unknown>, opts: CallOptions = {}): Promise<ForwardedAnswer> {
    if (this.deps.forwarding?.() === 'sdk') {
      return this.request('tools/call', { name, arguments: args }, UncheckedResultSchema, opts, (result) =>
        checkedAnswer(new ForwardedAnswer(result, undefined)),
      );
    }
    return this.forward(name, args, opts, checkedAnswer);
  }

  /** tools/call over the raw channel (no SDK Client bookkeeping), then `check` on the answer. */
  private forward<R>(
    name: string,
    args: Record<string, unknown>,
    opts: CallOptions,
    check: (answer: ForwardedAnswer) => R,
  ): Promise<R> {
    return this.track(async () => {
      const { raw } = await this.connect();
      const answer = await raw.request(
        'tools/call',
        { name, arguments: args },
        {
          timeoutMs: this.config.requestTimeoutMs,
          signal: opts.signal,
          cancellation: opts.cancellation,
          onProgress: opts.onProgress,
        },
      );
      const checked = check(answer);
      this.markHealthy();
      return checked;
    });
  }

  /** Any request (starting the server if needed); progress resets the timeout and is passed on. */
  async request<S extends z.ZodType, R = z.output<S>>(
    method: string,
    params: Record<string, unknown>,
    schema: S,
    opts: CallOptions = {},
    check: (result: z.output<S>) => R = (result) => result as R,
  ): Promise<R> {
    return this.track(async () => {
      const { client } = await this.connect();
      const signal = opts.signal ?? opts.cancellation?.signal;
      const result = await client
        .request({ method, params } as never, schema, {
          timeout: this.config.requestTimeoutMs,
          resetTimeoutOnProgress: true,
          // Without onprogress the SDK sends no progressToken, and nothing could reset the timeout.
          onprogress: (progress) => opts.onProgress?.(progress),
          signal,
        })
        .catch((err: unknown) => {
          // The SDK rejects an aborted request as a timeout; it is the caller's cancellation.
          throw signal?.aborted ? cancelledError(signal.reason) : err;
        });
      const checked = check(result);
      this.markHealthy();
      return checked;
    });
  }

  /** What the server offers (resources, prompts, logging, completions), starting it if needed. */
  async capabilities(opts: CallOptions = {}): Promise<ServerCapabilities> {
    return this.track(async () => {
      const { client } = await this.connect();
      opts.signal?.throwIfAborted();
      return client.getServerCapabilities() ?? {};
    });
  }

  /** Subscribes to a resource for one more client; the server is asked only for the first. */
  async subscribe(uri: string, opts: CallOptions = {}): Promise<void> {
    const count = this.subscriptions.get(uri) ?? 0;
    if (count === 0) await this.request('resources/subscribe', { uri }, EmptyResultSchema, opts);
    this.subscriptions.set(uri, (this.subscriptions.get(uri) ?? 0) + 1);
  }

  /** One client fewer on a resource; the last one out unsubscribes a running server. */
  async unsubscribe(uri: string, opts: CallOptions = {}): Promise<void> {
    const count = this.subscriptions.get(uri) ?? 0;
    if (count > 1) {
      this.subscriptions.set(uri, count - 1);
      return;
    }
    this.subscriptions.delete(uri);
    if (count === 1 && this.connection) {
      await this.request('resources/unsubscribe', { uri }, EmptyResultSchema, opts);
    }
    this.scheduleIdleStop();
  }

  /** Sets the server's log level now (if running and it logs) and after every start. */
  async setLogLevel(level: LoggingLevel | undefined): Promise<void> {
    this.logLevel = level;
    const conn = this.connection;
    if (level && conn?.client.getServerCapabilities()?.logging) {
      await this.request('logging/setLevel', { level }, EmptyResultSchema);
    }
  }

  /**
   * A health probe: tools/list (fills the cache). A stopped server is started only while its
   * health is not known (never started, or failed), so a broken one shows as unhealthy
   * without waiting for a call; OAuth servers are never started by a probe, which could
   * only produce an authorization nobody asked for.
   */
  async probe(timeoutMs: number): Promise<void> {
    if (this.inFlight > 0) return;
    if (!this.connection) {
      const unknown = this.health === 'unknown' || this.health === 'unhealthy';
      if (!unknown || this.config.oauth || this.unavailableReason()) return;
    }
    this.tools = undefined;
    try {
      await this.listTools({ timeoutMs });
    } catch {
      // recorded in health/lastError by track()
    }
  }

  /** Stops the server (idle); the next call starts it again. */
  async stop(): Promise<void> {
    const conn = this.connection;
    this.connection = undefined;
    this.connecting = undefined;
    this.generation++;
    clearTimeout(this.idleTimer);
    if (conn) {
      this.deps.logger.info('stopping downstream server', { server: this.name });
      await conn.client.close().catch(() => {});
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.stop();
  }

  private async track<T>(work: () => Promise<T>): Promise<T> {
    const reason = this.unavailableReason();
    if (reason) throw new DownstreamError(reason);
    this.inFlight++;
    clearTimeout(this.idleTimer);
    try {
      return await work();
    } catch (err) {
      throw await this.explain(err);
    } finally {
      this.inFlight--;
      this.scheduleIdleStop();
    }
  }

  private scheduleIdleStop(): void {
    clearTimeout(this.idleTimer);
    const idle = this.config.idleTimeoutMs;
    // A subscribed client waits for updates only a running server can send.
    if (idle <= 0 || this.inFlight > 0 || !this.connection || this.subscriptions.size > 0) return;
    this.idleTimer = setTimeout(() => {
      if (this.inFlight === 0) void this.stop().catch(() => {});
    }, idle);
    this.idleTimer.unref();
  }

  private markHealthy(): void {
    this.health = 'healthy';
    this.lastError = undefined;
  }

  private markUnhealthy(message: string): void {
    this.health = 'unhealthy';
    this.lastError = message;
  }

  /** Turns SDK and transport errors into one DownstreamError with advice. */
  private async explain(err: unknown): Promise<Error> {
    if (err instanceof DownstreamError) return err;
    if (this.config.type === 'remote' && err instanceof (await remoteConnect()).AuthorizationRequiredError) {
      this.health = 'unknown';
      this.lastError = `waiting for the user to authorize: ${err.authorizationUrl}`;
      return new DownstreamError(err.message, { authorizationUrl: err.authorizationUrl });
    }
    if (err instanceof McpError && err.code === ErrorCode.RequestTimeout) {
      const message = `server "${this.name}" did not answer within ${this.config.requestTimeoutMs} ms (no progress either); raise "requestTimeout" for it if the tool is slow`;
      this.markUnhealthy(message);
      await this.recoverAfterTimeout();
      return new DownstreamError(message);
    }
    if (err instanceof McpError && err.code === ErrorCode.ConnectionClosed) {
      const message =
        this.transportFailure() ??
        `server "${this.name}" closed the connection during the call${this.stderrSuffix()}; the next call restarts it`;
      this.markUnhealthy(message);
      return new DownstreamError(message);
    }
    if (err instanceof McpError) {
      const prefix = `MCP error ${err.code}: `;
      const message = err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message;
      return new DownstreamError(`server "${this.name}" answered with an error: ${err.message}`, {
        rpc: { code: err.code, message, ...(err.data !== undefined ? { data: err.data } : {}) },
      });
    }
    if (err instanceof Error && err.name === 'AbortError') return err;
    const message = `server "${this.name}" failed: ${err instanceof Error ? err.message : String(err)}${this.stderrSuffix()}`;
    this.markUnhealthy(message);
    return new DownstreamError(message);
  }

  /** After a timeout the server may be wedged: keep it only if it still answers a ping. */
  private async recoverAfterTimeout(): Promise<void> {
    const conn = this.connection;
    if (!conn) return;
    try {
      await conn.client.ping({ timeout: Math.min(2000, this.config.requestTimeoutMs) });
    } catch {
      this.deps.logger.info('restarting a downstream server that stopped answering', { server: this.name });
      if (this.connection === conn) await this.stop();
    }
  }

  private stderrSuffix(): string {
    const transport = this.connection?.transport ?? this.lastTransport;
    const tail = transport instanceof ChildTransport ? transport.process?.stderrTail() : undefined;
    return tail ? `; its stderr ends with: ${tail.slice(-600)}` : '';
  }

  private lastTransport: Transport | undefined;

  /** Why the gateway stopped the server itself (an oversized message), if it did. */
  private transportFailure(): string | undefined {
    const transport = this.connection?.transport ?? this.lastTransport;
    const failure = transport instanceof ChildTransport ? transport.failure : undefined;
    return failure && `server "${this.name}" ${failure}; it was stopped and the next call restarts it`;
  }

  private connect(): Promise<Connection> {
    if (this.connection) return Promise.resolve(this.connection);
    this.connecting ??= this.open().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async open(): Promise<Connection> {
    const generation = ++this.generation;
    this.health = 'starting';
    this.tools = undefined;
    const started = Date.now();
    const makeClient = () => {
      const client = new Client({ name: 'lazy-mcp', version: '1.0.0' }, { capabilities: {} });
      client.setNotificationHandler(ToolListChangedNotificationSchema, async () => {
        this.tools = undefined;
        this.deps.onToolsChanged?.();
      });
      const relay = async (notification: ServerNotification) =>
        this.deps.onNotification?.(this.name, notification);
      client.setNotificationHandler(ResourceListChangedNotificationSchema, relay);
      client.setNotificationHandler(ResourceUpdatedNotificationSchema, relay);
      client.setNotificationHandler(PromptListChangedNotificationSchema, relay);
      client.setNotificationHandler(LoggingMessageNotificationSchema, relay);
      return client;
    };
    let conn: Connection;
    if (this.config.type === 'remote') {
      const { connectRemote } = await remoteConnect();
      let raw: RawChannel | undefined;
      const remote = await connectRemote(makeClient, this.config, {
        timeoutMs: this.config.startTimeoutMs,
        auth: this.deps.auth,
        forwarding: this.deps.forwarding?.() ?? 'raw',
        onTransport: (t) => {
          dumpBodies(t, this.deps.logger, DOWNSTREAM_SIDE, { server: this.name });
          raw = RawChannel.install(t);
        },
      });
      conn = { ...remote, raw: raw as RawChannel };
    } else {
      const transport = new ChildTransport(this.config.command, {
        env: { ...this.deps.baseEnv, ...this.config.env },
        cwd: this.config.cwd,
        onStderr: (line) => this.deps.logger.debug('downstream stderr', { server: this.name, line }),
      });
      this.lastTransport = transport;
      dumpBodies(transport, this.deps.logger, DOWNSTREAM_SIDE, { server: this.name });
      const raw = RawChannel.install(transport);
      const client = makeClient();
      try {
        await client.connect(transport, { timeout: this.config.startTimeoutMs });
      } catch (err) {
        await transport.close().catch(() => {});
        const why =
          err instanceof McpError && err.code === ErrorCode.RequestTimeout
            ? `did not finish initialize within ${this.config.startTimeoutMs} ms (raise "requestTimeout", or "timeout" for start-up only, on the server to allow more)`
            : `could not start (${this.config.command.join(' ')}): ${err instanceof Error ? err.message : String(err)}`;
        const tail = transport.process?.stderrTail();
        const message = `server "${this.name}" ${why}${tail ? `; its stderr ends with: ${tail.slice(-600)}` : ''}`;
        this.markUnhealthy(message);
        throw new DownstreamError(message);
      }
      conn = { client, transport, raw };
    }
    if (generation !== this.generation || this.closed) {
      await conn.client.close().catch(() => {});
      throw new DownstreamError(`server "${this.name}" was stopped while starting; retry the call`);
    }
    conn.client.onclose = () => {
      if (this.connection !== conn) return;
      this.connection = undefined;
      clearTimeout(this.idleTimer);
      this.markUnhealthy(
        this.transportFailure() ??
          `server "${this.name}" exited unexpectedly${this.stderrSuffix()}; the next call restarts it`,
      );
      this.deps.logger.error('downstream server exited', { server: this.name, lastError: this.lastError });
    };
    this.connection = conn;
    await renewClientState(conn.client, {
      logLevel: this.logLevel,
      subscriptions: [...this.subscriptions.keys()],
      timeoutMs: this.config.requestTimeoutMs,
      onError: (error) =>
        this.deps.logger.error('could not renew client state on a restarted server', {
          server: this.name,
          error,
        }),
    });
    this.deps.logger.info('downstream server started', {
      server: this.name,
      durationMs: Date.now() - started,
    });
    this.markHealthy();
    return conn;
  }
}
