import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import ignore from 'ignore';
import { parse as parseYaml } from 'yaml';
import { LEAN_CTX_BIN, runCli, type ServingProcess, startCli } from '../helpers/cli.ts';
import {
  createPathMap,
  interpolate,
  mapStrings,
  parseDockerfile,
  parseDotEnv,
  parseVolume,
} from '../helpers/deploy-files.ts';
import { makeGitRepo } from '../helpers/git-repo.ts';
import { startRoundRobinProxy } from '../helpers/round-robin-proxy.ts';

/*
 * Docker's daemon is not on this machine, so the deploy files are run the way a container
 * would run them: the image's /app is this checkout, its volumes are temp dirs, a published
 * 0.0.0.0:7700 is 127.0.0.1:0, and compose's `postgres` and `redis` hosts are this machine's
 * PostgreSQL and Redis (a database and a key prefix of this run's own, dropped after).
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DEPLOY = join(ROOT, 'deploy');
/** The seed's Docker command: `docker run -d -p 7700:7700 -v leanctx-data:/data IMAGE serve --team --data-dir /data`. */
const SEED_ARGS = ['serve', '--team', '--data-dir', '/data'];
const PORT = '7700';

const image = parseDockerfile(join(ROOT, 'Dockerfile'));

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile?: string };
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
}
const compose = parseYaml(readFileSync(join(DEPLOY, 'compose.yaml'), 'utf8')) as {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
};
const dotEnv = parseDotEnv(join(DEPLOY, '.env.example'));
const leanctxServices = Object.entries(compose.services).filter(
  ([, s]) =>
    s.build &&
    resolve(DEPLOY, s.build.context) === resolve(ROOT) &&
    (s.build.dockerfile ?? 'Dockerfile') === 'Dockerfile',
);

/** The image's ENTRYPOINT + args as this machine's argv: tini is the init, node this node, /app this checkout. */
function hostArgv(args: readonly string[], mapPath: (p: string) => string): string[] {
  const [init, dashes, node, ...rest] = [...image.entrypoint, ...args];
  assert.deepEqual([init, dashes, node], ['tini', '--', 'node'], 'ENTRYPOINT runs node under tini');
  return [process.execPath, ...rest.map(mapPath).map(publishBind)];
}

/** `-p 7700:7700` onto a container listening on 0.0.0.0:7700: here a free port on loopback. */
function publishBind(value: string): string {
  return value === `0.0.0.0:${PORT}` ? '127.0.0.1:0' : value;
}

function startFromImage(argv: string[], opts: { cwd: string; env: Record<string, string> }): ServingProcess {
  assert.equal(argv[0], process.execPath);
  assert.equal(argv[1], LEAN_CTX_BIN, `the image runs ${relative(ROOT, LEAN_CTX_BIN)}`);
  return startCli(argv.slice(2), opts);
}

async function servedPort(serve: ServingProcess): Promise<number> {
  const out = await serve.waitFor(/Tools: \d+ available/, 60_000);
  const port = Number(/Team Server\b[^\n]*?127\.0\.0\.1:(\d+)/.exec(out)?.[1]);
  assert.ok(port > 0, `a port in the banner:\n${out}`);
  return port;
}

async function healthz(base: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${base}/healthz`);
  const body = (await res.json()) as Record<string, unknown>;
  assert.equal(res.status, 200, JSON.stringify(body));
  assert.equal(body.status, 'ok');
  return body;
}

function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

describe('the Docker image (Dockerfile)', () => {
  test("its default ENTRYPOINT + CMD is the seed's `serve --team --data-dir /data`, published on 7700, and answers /healthz", async () => {
    assert.deepEqual(image.cmd, SEED_ARGS);
    assert.ok(image.expose.includes(PORT), `EXPOSE ${PORT}`);
    assert.ok(image.volumes.includes('/data'), 'VOLUME /data');
    assert.ok(
      image.user && !['root', '0'].includes(image.user),
      `runs as a non-root user, not ${image.user}`,
    );
    assert.equal(
      image.env.LEANCTX_BIND,
      `0.0.0.0:${PORT}`,
      'the image binds every interface, through the env var serve reads',
    );

    const project = makeGitRepo({ 'src/app.ts': 'export function app(): number {\n  return 1;\n}\n' });
    const data = join(tempDir('docker-volume-'), 'data');
    mkdirSync(data);
    const mapPath = createPathMap({
      '/app': ROOT.replace(/\/$/, ''),
      '/data': data,
      [image.workdir]: project,
    });
    const env = { ...image.env, LEANCTX_BIND: publishBind(image.env.LEANCTX_BIND as string) };
    assert.equal(image.healthcheck[0], 'node', 'HEALTHCHECK runs node');
    const runHealthcheck = (port: number) =>
      spawnSync(process.execPath, image.healthcheck.slice(1).map(mapPath), {
        env: { ...process.env, ...image.env, LEANCTX_BIND: `0.0.0.0:${port}` },
        encoding: 'utf8',
      });
    const serve = startFromImage(hostArgv(image.cmd, mapPath), { cwd: mapPath(image.workdir), env });
    let port = 0;
    try {
      port = await servedPort(serve);
      const body = await healthz(`http://127.0.0.1:${port}`);
      assert.match(String(body.version), /^\d+\.\d+\.\d+/);
      const config = JSON.parse(readFileSync(join(data, 'team.json'), 'utf8')) as {
        workspaces: { id: string; root: string }[];
      };
      assert.deepEqual(
        config.workspaces.map((w) => [w.id, w.root]),
        [['main', project]],
        'WORKDIR is the served project',
      );
      const token = /^(lctx_t_admin_\S+)$/m.exec(serve.stdout())?.[1];
      assert.ok(token, 'the first start prints an admin token');
      const tree = await fetch(`http://127.0.0.1:${port}/v1/tools/call`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'ctx_tree', arguments: { path: '.' } }),
      });
      assert.equal(tree.status, 200);
      assert.match(await tree.text(), /app\.ts/);
      // HEALTHCHECK: healthy while serving…
      const healthy = runHealthcheck(port);
      assert.equal(healthy.status, 0, healthy.stderr);
    } finally {
      await serve.kill();
    }
    // …and unhealthy, saying why, once it is gone.
    const gone = runHealthcheck(port);
    assert.equal(gone.status, 1);
    assert.match(gone.stderr, /unreachable: ECONNREFUSED/);
  });

  test('every file the build copies from the context exists and is not excluded by .dockerignore', () => {
    const ignored = ignore().add(readFileSync(join(ROOT, '.dockerignore'), 'utf8'));
    assert.ok(image.contextCopies.length >= 5, image.contextCopies.join(' '));
    for (const source of image.contextCopies) {
      assert.ok(existsSync(join(ROOT, source)), `COPY ${source}: no such file in the repository`);
      assert.equal(
        ignored.ignores(source.replace(/^\.\//, '').replace(/\/$/, '')),
        false,
        `.dockerignore excludes ${source}`,
      );
    }
  });
});

describe('the compose file (deploy/compose.yaml)', () => {
  test('PostgreSQL, Redis, two replicas of the image on one team.json, and nginx in front: round robin, nothing sticky, nothing buffered', () => {
    for (const name of ['postgres', 'redis', 'lb']) assert.ok(compose.services[name], `service ${name}`);
    assert.equal(leanctxServices.length, 2, 'two leanctx replicas built from the Dockerfile');
    const ids = leanctxServices.map(([name, s]) => {
      assert.deepEqual(
        s.command?.slice(0, 7),
        ['team', 'serve', '--config', '/etc/leanctx/team.json', '--bind', `0.0.0.0:${PORT}`, '--replica-id'],
        name,
      );
      assert.equal(s.command?.length, 8, name);
      const volumes = (s.volumes ?? []).map((v) => parseVolume(interpolate(v, dotEnv)));
      const etc = volumes.find((v) => v.target === '/etc/leanctx');
      assert.ok(
        etc && resolve(DEPLOY, etc.source) === resolve(DEPLOY),
        `${name} mounts deploy/ at /etc/leanctx`,
      );
      const data = volumes.find((v) => v.target === '/data');
      assert.ok(
        data && compose.volumes && data.source in compose.volumes,
        `${name} keeps /data in a named volume`,
      );
      for (const dep of ['postgres', 'redis'])
        assert.equal(s.depends_on?.[dep]?.condition, 'service_healthy', `${name} waits for ${dep}`);
      return { id: s.command?.[7], data: data.source };
    });
    assert.equal(new Set(ids.map((i) => i.id)).size, 2, 'distinct --replica-id');
    assert.equal(new Set(ids.map((i) => i.data)).size, 2, 'each replica its own /data');
    assert.ok(existsSync(join(DEPLOY, 'team.json')));

    const lb = compose.services.lb as ComposeService;
    assert.deepEqual(lb.ports, [`${PORT}:${PORT}`]);
    const confMount = (lb.volumes ?? [])
      .map((v) => parseVolume(interpolate(v, dotEnv)))
      .find((v) => v.target === '/etc/nginx/nginx.conf');
    assert.ok(confMount, 'the nginx config is mounted');
    const conf = readFileSync(resolve(DEPLOY, confMount.source), 'utf8').replace(/#.*$/gm, '');
    const upstream = /upstream\s+(\S+)\s*\{([^}]*)\}/.exec(conf);
    assert.ok(upstream, 'an upstream block');
    assert.match(conf, new RegExp(`proxy_pass\\s+http://${upstream[1]};`), 'requests go to the upstream');
    const upstreams = [...(upstream[2] as string).matchAll(/^\s*server\s+([^\s;]+)/gm)].map((m) => m[1]);
    assert.deepEqual(
      upstreams.sort(),
      leanctxServices.map(([name]) => `${name}:${PORT}`).sort(),
      'nginx balances exactly the replicas',
    );
    assert.match(conf, new RegExp(`listen\\s+${PORT};`));
    assert.match(conf, /proxy_buffering\s+off;/);
    assert.match(conf, /proxy_http_version\s+1\.1;/);
    assert.doesNotMatch(conf, /\b(ip_hash|hash|sticky)\b/, 'no session affinity');
    assert.doesNotMatch(conf, /non_idempotent/, 'a POST is never sent twice');
    for (const [name] of leanctxServices) assert.equal(lb.depends_on?.[name]?.condition, 'service_healthy');

    // The secrets must be set: compose refuses to start without them.
    for (const [, s] of leanctxServices) {
      assert.throws(
        () => interpolate(s.environment?.LEANCTX_SESSION_SECRET ?? '', {}),
        /LEANCTX_SESSION_SECRET/,
      );
    }
  });

  describe("each replica's exact command line and environment, against this machine's PostgreSQL and Redis", () => {
    const suffix = randomBytes(5).toString('hex');
    const database = `leanctx_t_${suffix}`;
    const keyPrefix = `leanctx_t_${suffix}:`;
    const psql = (sql: string) =>
      execFileSync(
        'psql',
        ['-h', '127.0.0.1', '-U', 'postgres', '-d', 'test', '-v', 'ON_ERROR_STOP=1', '-qc', sql],
        {
          encoding: 'utf8',
        },
      );
    const serving: ServingProcess[] = [];
    after(async () => {
      await Promise.all(serving.map((s) => s.kill()));
      psql(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      const keys = execFileSync('redis-cli', ['-h', '127.0.0.1', '--scan', '--pattern', `${keyPrefix}*`], {
        encoding: 'utf8',
      })
        .split('\n')
        .filter(Boolean);
      for (let i = 0; i < keys.length; i += 500) {
        execFileSync('redis-cli', ['-h', '127.0.0.1', 'DEL', ...keys.slice(i, i + 500)]);
      }
    });

    /** Compose's service hosts as this machine's: the database of this run, trust auth as postgres. */
    function mapServiceUrl(value: string): string {
      if (!/^(postgres(ql)?|redis):\/\//.test(value)) return value;
      const url = new URL(value);
      if (url.hostname === 'postgres') {
        assert.ok(compose.services.postgres);
        url.hostname = '127.0.0.1';
        url.username = 'postgres';
        url.password = '';
        url.pathname = `/${database}`;
      } else if (url.hostname === 'redis') {
        assert.ok(compose.services.redis);
        url.hostname = '127.0.0.1';
      }
      return url.toString();
    }

    test('both replicas serve /healthz, and one token works through a round-robin address on either replica', async () => {
      psql(`CREATE DATABASE ${database}`);
      const project = makeGitRepo({ 'src/main.ts': 'export const main = () => 42;\n' });
      // team.json as deploy/ holds it; only the Redis key prefix is this run's own.
      const shared = JSON.parse(readFileSync(join(DEPLOY, 'team.json'), 'utf8')) as {
        redis?: { keyPrefix?: string };
        tokens?: unknown[];
      };
      assert.ok(shared.redis, 'deploy/team.json configures Redis');
      shared.redis.keyPrefix = keyPrefix;

      const containers = leanctxServices.map(([name, service]) => {
        // One container's filesystem: its own /data, the shared team.json and project.
        const etc = tempDir(`deploy-${name}-etc-`);
        const workdir = tempDir(`deploy-${name}-workdir-`);
        const mounts: Record<string, string> = { '/app': ROOT.replace(/\/$/, ''), [image.workdir]: workdir };
        for (const volume of (service.volumes ?? []).map((v) => parseVolume(interpolate(v, dotEnv)))) {
          if (volume.target === '/etc/leanctx') mounts[volume.target] = etc;
          else if (volume.target === '/data') mounts[volume.target] = tempDir(`deploy-${name}-data-`);
          else if (volume.target === '/srv/project') mounts[volume.target] = project;
          else assert.fail(`${name}: the test does not know how to map volume ${volume.target}`);
        }
        const mapPath = createPathMap(mounts);
        const env: Record<string, string> = { ...image.env };
        for (const [key, value] of Object.entries(service.environment ?? {})) {
          env[key] = mapServiceUrl(interpolate(value, dotEnv));
        }
        env.LEANCTX_BIND = publishBind(env.LEANCTX_BIND as string);
        const config = mapPath('/etc/leanctx/team.json');
        const writeConfig = () =>
          writeFileSync(config, `${JSON.stringify(mapStrings(shared, mapPath), null, 2)}\n`);
        writeConfig();
        return {
          name,
          workdir,
          env,
          config,
          writeConfig,
          argv: hostArgv(service.command ?? image.cmd, mapPath),
        };
      });

      // `docker compose exec leanctx-a lean-ctx team token create …`; the file is shared, so B has it too.
      const first = containers[0] as (typeof containers)[number];
      const created = runCli(
        ['team', 'token', 'create', '--config', first.config, '--id', 'deploy-test', '--scopes', 'search'],
        { cwd: first.workdir, env: first.env },
      );
      assert.equal(created.status, 0, created.stderr);
      const token = created.stdout.trim();
      shared.tokens = (JSON.parse(readFileSync(first.config, 'utf8')) as { tokens: unknown[] }).tokens;
      const ports: number[] = [];
      for (const c of containers) {
        c.writeConfig();
        const serve = startFromImage(c.argv, { cwd: c.workdir, env: c.env });
        serving.push(serve);
        ports.push(await servedPort(serve));
      }
      for (const port of ports) await healthz(`http://127.0.0.1:${port}`);

      const proxy = await startRoundRobinProxy(ports.map((p) => `http://127.0.0.1:${p}`));
      try {
        for (let i = 0; i < 4; i++) {
          await healthz(proxy.url);
          const manifest = await fetch(`${proxy.url}/v1/manifest`, {
            headers: { authorization: `Bearer ${token}` },
          });
          assert.equal(manifest.status, 200, await manifest.text());
        }
        assert.deepEqual(proxy.picks, [0, 1, 0, 1, 0, 1, 0, 1]);
      } finally {
        await proxy.close();
      }
    });
  });
});
