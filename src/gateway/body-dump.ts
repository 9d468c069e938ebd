import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { GatewayLogger, LogFields } from './logger.ts';

/** Which side of the gateway a transport faces, for the two directions of its messages. */
export const CLIENT_SIDE = { in: 'client → gateway', out: 'gateway → client' } as const;
export const DOWNSTREAM_SIDE = { in: 'downstream → gateway', out: 'gateway → downstream' } as const;

/**
 * With `logging.dumpBodies`, every JSON-RPC message through `transport` is logged (redacted
 * and cut at `maxBodyLogBytes` by the logger). Call before the transport is connected: the
 * incoming side is hooked at start, once the SDK has set `onmessage`.
 */
export function dumpBodies(
  transport: Transport,
  logger: GatewayLogger,
  side: { in: string; out: string },
  fields: LogFields = {},
): void {
  if (!logger.dumpBodies) return;
  const send = transport.send.bind(transport);
  transport.send = (message, options) => {
    logger.body(side.out, message, fields);
    return send(message, options);
  };
  const start = transport.start.bind(transport);
  transport.start = () => {
    const onmessage = transport.onmessage;
    transport.onmessage = (message, extra) => {
      logger.body(side.in, message, fields);
      onmessage?.(message, extra);
    };
    return start();
  };
}
