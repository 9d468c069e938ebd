/** What the team server and lazy-mcp use from the gateway. */
export { parseServersBlock, type ServersConfig } from '../config/servers-config.ts';
export {
  type Access,
  createGateway,
  type Gateway,
  type GatewayOptions,
  type ReloadReport,
} from './gateway.ts';
export { createGatewayHttpApp, listenGatewayHttp } from './http-front.ts';
export { createGatewayLogger, createSilentLogger, type GatewayLogger } from './logger.ts';
export { createGatewayMcpServer, metaToolEntries, runMetaTool } from './mcp-front.ts';
