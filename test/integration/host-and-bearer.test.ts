import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createGateway, type Gateway } from '../../src/gateway/gateway.ts';
import { type GatewayHttpServer, listenGatewayHttp } from '../../src/gateway/http-front.ts';
import { createSilentLogger } from '../../src/gateway/logger.ts';
import { configOf, SERVERS } from '../helpers/gateway-servers.ts';
import { rawRequest } from '../helpers/raw-http.ts';
import { type RunningTestServer, startTestServer } from '../helpers/team-server.ts';

const INIT = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'curl', version: '1' } },
});

/** The seed's reverse-proxy example: bound to loopback, one public name listed. */
const PUBLIC_NAME = 'mcp.example.com';

interface Surface {
  name: string;
  port(): number;
  token(): string;
  /** One request with the given Host and Authorization; the status it answers. */
  send(host: string, authorization: string): Promise<{ status: number; body: string }>;
}

describe('one Host check and one bearer check for the team server and lazy-mcp', () => {
  let srv: RunningTestServer;
  let gateway: Gateway;
  let http: GatewayHttpServer;
  const TOKEN = 'lctx_t_gw_3xAmpleS3cret-value_0123456789';

  before(async () => {
    srv = await startTestServer({ config: { allowedHosts: [PUBLIC_NAME] } });
    const config = configOf({
      servers: [SERVERS.everything],
      transport: {
        type: 'http',
        host: '127.0.0.1',
        port: 0,
        authToken: TOKEN,
        allowedHosts: [PUBLIC_NAME],
        allowedOrigins: [`https://${PUBLIC_NAME}`],
      },
    });
    gateway = createGateway(config, createSilentLogger());
    http = await listenGatewayHttp(gateway, createSilentLogger(), config.transport);
  });
  after(async () => {
    await srv.close();
    await http.close();
    await gateway.close();
  });

  const surfaces: Surface[] = [
    {
      name: 'team server',
      port: () => Number(new URL(srv.url).port),
      token: () => srv.tokens.alice as string,
      send(host, authorization) {
        return rawRequest(this.port(), { path: '/v1/manifest', headers: { host, authorization } });
      },
    },
    {
      name: 'lazy-mcp',
      port: () => http.port,
      token: () => TOKEN,
      send(host, authorization) {
        return rawRequest(this.port(), {
          method: 'POST',
          path: '/mcp',
          headers: {
            host,
            authorization,
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
          },
          body: INIT,
        });
      },
    },
  ];

  const HOSTS: [string, boolean][] = [
    ['127.evil.com', false],
    ['localhost:PORT', true],
    ['LOCALHOST', true],
    ['localhost.', true],
    ['127.0.0.1:PORT', true],
    ['127.1.2.3', true],
    ['[::1]:PORT', true],
    [PUBLIC_NAME, true],
    ['MCP.Example.com:443', true],
    ['127.0.0.1.evil.com', false],
    ['127.0.0.256', false],
    ['localhost.evil.com', false],
    ['evil.example', false],
    [`${PUBLIC_NAME}.evil.com`, false],
  ];

  for (const surface of surfaces) {
    test(`${surface.name}: loopback names and allowedHosts pass, look-alikes such as 127.evil.com get 403`, async () => {
      for (const [template, allowed] of HOSTS) {
        const host = template.replace('PORT', String(surface.port()));
        const res = await surface.send(host, `Bearer ${surface.token()}`);
        if (allowed) assert.equal(res.status, 200, `${surface.name} accepts Host ${host}: ${res.body}`);
        else {
          assert.equal(res.status, 403, `${surface.name} refuses Host ${host}`);
          assert.equal(JSON.parse(res.body).error_code, 'host_not_allowed');
        }
      }
    });
  }

  const bearerCases = (token: string): [string, boolean][] => [
    [`Bearer ${token}`, true],
    [`bearer ${token}`, true],
    [`BEARER ${token}`, true],
    [`Bearer   ${token}`, true],
    [`Bearer\t${token}`, true],
    [`Basic ${token}`, false],
    ['Bearer', false],
    [token, false],
    [`Bearer ${token} extra`, false],
    [`Bearer ${token}x`, false],
    [`Bearer ${token.slice(0, -1)}`, false],
    [`Token ${token}`, false],
    ['Bearer wrong', false],
  ];

  for (const surface of surfaces) {
    test(`${surface.name}: the Bearer scheme is case-insensitive and anything else is 401`, async () => {
      const host = `localhost:${surface.port()}`;
      for (const [authorization, ok] of bearerCases(surface.token())) {
        const res = await surface.send(host, authorization);
        assert.equal(res.status, ok ? 200 : 401, `${surface.name} with "${authorization}": ${res.body}`);
        if (!ok) assert.equal(JSON.parse(res.body).error_code, 'unauthorized');
      }
    });
  }
});
