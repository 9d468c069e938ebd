/**
 * Outputs of tools this machine does not run (no docker daemon, no cluster, no go, ruff, mypy,
 * eslint, jest, vitest, pnpm, yarn), written out in each tool's documented format with the
 * errors, warnings and `file:line` places a real run would have.
 */
export interface ShellFixture {
  family: string;
  command: string;
  output: string;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const pad = (s: string, n: number) => s.padEnd(n);

const dockerPs = [
  `${pad('CONTAINER ID', 15)}${pad('IMAGE', 22)}${pad('COMMAND', 25)}${pad('CREATED', 16)}${pad('STATUS', 26)}${pad('PORTS', 24)}NAMES`,
  ...range(24).map(
    (i) =>
      `${pad(`${(0xa1b2c3d4e5f6 + i * 7919).toString(16).slice(0, 12)}`, 15)}${pad('node:20-alpine', 22)}${pad('"docker-entrypoint.s…"', 25)}${pad('2 hours ago', 16)}${pad('Up 2 hours', 26)}${pad(`0.0.0.0:${3000 + i}->3000/tcp`, 24)}api-${i}`,
  ),
  `${pad('9f8e7d6c5b4a', 15)}${pad('postgres:16', 22)}${pad('"docker-entrypoint.s…"', 25)}${pad('3 hours ago', 16)}${pad('Exited (1) 5 minutes ago', 26)}${pad('', 24)}db`,
].join('\n');

const dockerImages = [
  `${pad('REPOSITORY', 36)}${pad('TAG', 11)}${pad('IMAGE ID', 15)}${pad('CREATED', 15)}SIZE`,
  ...range(30).map(
    (i) =>
      `${pad(`registry.example.com/team/svc-${i}`, 36)}${pad('latest', 11)}${pad((0x5d4c3b2a1f0e + i * 104729).toString(16).slice(0, 12), 15)}${pad('2 days ago', 15)}${180 + i}MB`,
  ),
].join('\n');

const dockerBuild = [
  '#0 building with "default" instance using docker driver',
  '',
  '#1 [internal] load build definition from Dockerfile',
  '#1 transferring dockerfile: 412B done',
  '#1 DONE 0.0s',
  '',
  '#2 [internal] load metadata for docker.io/library/node:20-alpine',
  '#2 DONE 0.9s',
  '',
  '#3 [internal] load .dockerignore',
  '#3 transferring context: 2B done',
  '#3 DONE 0.0s',
  '',
  '#4 [1/5] FROM docker.io/library/node:20-alpine@sha256:2d07db07a2df6830718ae2a47db6fedce6745f5bcd174c398f2acdda90a11c03',
  '#4 resolve docker.io/library/node:20-alpine@sha256:2d07db07a2df6830718ae2a47db6fedce6745f5bcd174c398f2acdda90a11c03 0.0s done',
  '#4 DONE 0.0s',
  '',
  '#5 [2/5] WORKDIR /app',
  '#5 CACHED',
  '',
  '#6 [3/5] COPY package*.json ./',
  '#6 DONE 0.1s',
  '',
  '#7 [4/5] RUN npm ci',
  ...range(40).map(
    (i) =>
      `#7 ${(1.2 + i * 0.1).toFixed(3)} npm http fetch GET 200 https://registry.npmjs.org/pkg-${i} ${20 + i}ms (cache miss)`,
  ),
  '#7 9.812 npm warn deprecated inflight@1.0.6: This module is not supported, and leaks memory.',
  '#7 12.40 added 412 packages, and audited 413 packages in 11s',
  '#7 DONE 12.9s',
  '',
  '#8 [5/5] RUN npm run build',
  '#8 0.512 > app@1.0.0 build',
  '#8 0.513 > tsc -p .',
  "#8 5.101 src/server.ts(41,7): error TS2322: Type 'string' is not assignable to type 'number'.",
  '#8 ERROR: process "/bin/sh -c npm run build" did not complete successfully: exit code: 2',
  '------',
  ' > [5/5] RUN npm run build:',
  "5.101 src/server.ts(41,7): error TS2322: Type 'string' is not assignable to type 'number'.",
  '------',
  'ERROR: failed to solve: process "/bin/sh -c npm run build" did not complete successfully: exit code: 2',
].join('\n');

const logs = range(120)
  .map((i) => {
    const ts = `2026-12-01T10:${String(Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}.${100 + i}Z`;
    if (i === 57) return `${ts} ERROR db: connection refused (pool 3/10) at src/db/pool.ts:88`;
    if (i === 90) return `${ts} WARN slow request GET /api/orders took 2301ms`;
    if (i % 3 === 0) return `${ts} INFO GET /health 200 ${i % 7}ms req=${(0xabc000 + i).toString(16)}`;
    if (i % 3 === 1)
      return `${ts} INFO GET /api/items?page=${i} 200 ${12 + (i % 9)}ms req=${(0xabd000 + i).toString(16)}`;
    return `${ts} DEBUG cache hit key=items:${i} ttl=${300 - i}s`;
  })
  .join('\n');

const kubectlPods = [
  `${pad('NAME', 40)}${pad('READY', 8)}${pad('STATUS', 19)}${pad('RESTARTS', 15)}AGE`,
  ...range(30).map(
    (i) =>
      `${pad(`web-7d9f8b6c4d-${(0x1a2b3 + i * 37).toString(36)}`, 40)}${pad('1/1', 8)}${pad('Running', 19)}${pad('0', 15)}3d`,
  ),
  `${pad('worker-5f6d7c8b9-x2x9z', 40)}${pad('0/1', 8)}${pad('CrashLoopBackOff', 19)}${pad('12 (2m ago)', 15)}3d`,
  `${pad('migrate-job-8kq2p', 40)}${pad('0/1', 8)}${pad('Error', 19)}${pad('0', 15)}1h`,
].join('\n');

const kubectlDescribe = [
  'Name:             web-7d9f8b6c4d-abcde',
  'Namespace:        default',
  'Priority:         0',
  'Service Account:  default',
  'Node:             node-2/10.0.0.12',
  'Start Time:       Mon, 30 Nov 2026 09:12:44 +0000',
  'Labels:           app=web',
  '                  pod-template-hash=7d9f8b6c4d',
  'Annotations:      <none>',
  'Status:           Running',
  'IP:               10.244.1.17',
  'IPs:',
  '  IP:           10.244.1.17',
  'Controlled By:  ReplicaSet/web-7d9f8b6c4d',
  'Containers:',
  '  web:',
  '    Container ID:   containerd://4f1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff',
  '    Image:          registry.example.com/team/web:1.4.2',
  '    Image ID:       registry.example.com/team/web@sha256:0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9',
  '    Port:           8080/TCP',
  '    Host Port:      0/TCP',
  '    State:          Running',
  '      Started:      Mon, 30 Nov 2026 09:12:51 +0000',
  '    Ready:          True',
  '    Restart Count:  0',
  '    Limits:',
  '      memory:  512Mi',
  '    Requests:',
  '      cpu:        100m',
  '      memory:     256Mi',
  '    Liveness:     http-get http://:8080/health delay=10s timeout=1s period=10s #success=1 #failure=3',
  '    Environment:  <none>',
  '    Mounts:',
  '      /var/run/secrets/kubernetes.io/serviceaccount from kube-api-access-7xk2q (ro)',
  'Conditions:',
  '  Type                        Status',
  '  PodReadyToStartContainers   True',
  '  Initialized                 True',
  '  Ready                       True',
  '  ContainersReady             True',
  '  PodScheduled                True',
  'Volumes:',
  '  kube-api-access-7xk2q:',
  '    Type:                    Projected (a volume that contains injected data from multiple sources)',
  '    TokenExpirationSeconds:  3607',
  '    ConfigMapName:           kube-root-ca.crt',
  '    ConfigMapOptional:       <nil>',
  '    DownwardAPI:             true',
  'QoS Class:                   Burstable',
  'Node-Selectors:              <none>',
  'Tolerations:                 node.kubernetes.io/not-ready:NoExecute op=Exists for 300s',
  '                             node.kubernetes.io/unreachable:NoExecute op=Exists for 300s',
  'Events:',
  '  Type     Reason     Age                From               Message',
  '  ----     ------     ----               ----               -------',
  ...range(6).map(
    (i) =>
      `  Normal   Pulled     ${10 + i}m (x${i + 2} over 3d)  kubelet            Container image "registry.example.com/team/web:1.4.2" already present on machine`,
  ),
  '  Warning  Unhealthy  2m (x4 over 3d)    kubelet            Liveness probe failed: Get "http://10.244.1.17:8080/health": context deadline exceeded',
  '  Normal   Started    2m                 kubelet            Started container web',
].join('\n');

const terraformPlan = [
  ...range(12).map(
    (i) => `aws_security_group_rule.ingress[${i}]: Refreshing state... [id=sgrule-${3000000000 + i * 7}]`,
  ),
  'aws_instance.web: Refreshing state... [id=i-0abc123def4567890]',
  '',
  'Terraform used the selected providers to generate the following execution',
  'plan. Resource actions are indicated with the following symbols:',
  '  + create',
  '  ~ update in-place',
  '  - destroy',
  '',
  'Terraform will perform the following actions:',
  '',
  '  # aws_instance.web will be updated in-place',
  '  ~ resource "aws_instance" "web" {',
  '        id                                   = "i-0abc123def4567890"',
  '      ~ instance_type                        = "t3.small" -> "t3.medium"',
  '      ~ tags                                 = {',
  '          ~ "Name" = "web" -> "web-1"',
  '        }',
  '        # (28 unchanged attributes hidden)',
  '',
  '        # (8 unchanged blocks hidden)',
  '    }',
  '',
  ...range(4).flatMap((i) => [
    `  # aws_s3_bucket.logs[${i}] will be created`,
    `  + resource "aws_s3_bucket" "logs" {`,
    '      + acceleration_status         = (known after apply)',
    '      + acl                         = (known after apply)',
    '      + arn                         = (known after apply)',
    `      + bucket                      = "team-logs-${i}"`,
    '      + bucket_domain_name          = (known after apply)',
    '      + bucket_prefix               = (known after apply)',
    '      + force_destroy               = false',
    '      + hosted_zone_id              = (known after apply)',
    '      + id                          = (known after apply)',
    '      + region                      = (known after apply)',
    '      + tags_all                    = (known after apply)',
    '',
    '      + versioning {',
    '          + enabled    = (known after apply)',
    '          + mfa_delete = (known after apply)',
    '        }',
    '    }',
    '',
  ]),
  '  # aws_iam_role.old will be destroyed',
  '  - resource "aws_iam_role" "old" {',
  '      - arn  = "arn:aws:iam::123456789012:role/old" -> null',
  '      - name = "old" -> null',
  '    }',
  '',
  'Plan: 4 to add, 1 to change, 1 to destroy.',
  '╷',
  '│ Warning: Argument is deprecated',
  '│',
  '│   with aws_s3_bucket.logs,',
  '│   on main.tf line 12, in resource "aws_s3_bucket" "logs":',
  '│   12:   acl = "private"',
  '╵',
  '',
  '─────────────────────────────────────────────────────────────────────────────',
  '',
  "Note: You didn't use the -out option to save this plan, so Terraform can't",
  'guarantee to take exactly these actions if you run "terraform apply" now.',
].join('\n');

const goTest = [
  ...range(6).map((i) => `go: downloading github.com/example/dep${i} v1.${i}.0`),
  ...range(25).flatMap((i) => [`=== RUN   TestHandler${i}`, `--- PASS: TestHandler${i} (0.00s)`]),
  '=== RUN   TestParseConfig',
  '    config_test.go:42: got port 0, want 8080',
  '--- FAIL: TestParseConfig (0.00s)',
  'FAIL',
  'FAIL\texample.com/app/config\t0.012s',
  'ok  \texample.com/app/server\t0.231s',
  ...range(8).map((i) => `?   \texample.com/app/cmd/tool${i}\t[no test files]`),
  'FAIL',
].join('\n');

const goBuild = [
  '# example.com/app/server',
  './handler.go:27:2: declared and not used: body',
  './handler.go:31:15: undefined: parseBody',
  '# example.com/app/config',
  'config/load.go:12:9: cannot use "8080" (untyped string constant) as int value in return statement',
].join('\n');

const ruff = [
  ...range(10).flatMap((i) => [
    `app/module_${i}.py:${i + 1}:8: F401 [*] \`os\` imported but unused`,
    '   |',
    `${i + 1} | import os`,
    '   |        ^^ F401',
    '   |',
    '   = help: Remove unused import: `os`',
    '',
  ]),
  'Found 10 errors.',
  '[*] 10 fixable with the `--fix` option.',
].join('\n');

const mypy = [
  'app/api.py:14: error: Argument 1 to "load" has incompatible type "str"; expected "int"  [arg-type]',
  'app/api.py:30: note: Revealed type is "builtins.int"',
  'app/db.py:7: error: Module "sqlalchemy" has no attribute "Foo"  [attr-defined]',
  'Found 2 errors in 2 files (checked 41 source files)',
].join('\n');

const eslint = [
  '',
  '/home/dev/app/src/server.js',
  "   3:7   error    'unused' is assigned a value but never used  no-unused-vars",
  '  12:1   warning  Unexpected console statement                no-console',
  '',
  '/home/dev/app/src/util.js',
  "  40:10  error  'x' is not defined  no-undef",
  '',
  '✖ 3 problems (2 errors, 1 warning)',
  '',
].join('\n');

const jest = [
  ...range(12).flatMap((i) => [
    `PASS src/feature${i}.test.js`,
    ...range(5).map((k) => `  ✓ feature ${i} case ${k} (${k + 1} ms)`),
  ]),
  'FAIL src/sum.test.js',
  '  ✓ adds small numbers (2 ms)',
  '  ✕ adds large numbers (4 ms)',
  '',
  '  ● adds large numbers',
  '',
  '    expect(received).toBe(expected) // Object.is equality',
  '',
  '    Expected: 3',
  '    Received: 2',
  '',
  "      4 | test('adds large numbers', () => {",
  '    > 5 |   expect(sum(1, 1)).toBe(3);',
  '        |                     ^',
  '      6 | });',
  '',
  '      at Object.toBe (src/sum.test.js:5:21)',
  '',
  'Test Suites: 1 failed, 12 passed, 13 total',
  'Tests:       1 failed, 61 passed, 62 total',
  'Snapshots:   0 total',
  'Time:        1.912 s',
  'Ran all test suites.',
].join('\n');

const vitest = [
  '',
  ' RUN  v2.1.8 /home/dev/app',
  '',
  ...range(20).map((i) => ` ✓ src/mod${i}.test.ts (${4 + i} tests) ${10 + i}ms`),
  ' ❯ src/sum.test.ts (2 tests | 1 failed) 6ms',
  '   × sum > adds large numbers 4ms',
  '     → expected 2 to be 3 // Object.is equality',
  '',
  '⎯⎯⎯⎯⎯⎯⎯ Failed Tests 1 ⎯⎯⎯⎯⎯⎯⎯',
  '',
  ' FAIL  src/sum.test.ts > sum > adds large numbers',
  'AssertionError: expected 2 to be 3 // Object.is equality',
  ' ❯ src/sum.test.ts:6:23',
  '',
  ' Test Files  1 failed | 20 passed (21)',
  '      Tests  1 failed | 171 passed (172)',
  '   Start at  10:12:01',
  '   Duration  1.84s',
].join('\n');

const pnpmInstall = [
  'Lockfile is up to date, resolution step is skipped',
  ...range(20).map((i) => `Progress: resolved ${i * 20}, reused ${i * 19}, downloaded ${i}, added ${i * 10}`),
  'Packages: +412',
  '++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++',
  'Progress: resolved 412, reused 400, downloaded 12, added 412, done',
  ' WARN  deprecated inflight@1.0.6: This module is not supported, and leaks memory.',
  '',
  'dependencies:',
  ...range(12).map((i) => `+ dep-${i} 1.${i}.0`),
  '',
  'devDependencies:',
  ...range(8).map((i) => `+ dev-${i} 2.${i}.1`),
  '',
  'Done in 4.2s',
].join('\n');

const yarnInstall = [
  'yarn install v1.22.22',
  '[1/4] Resolving packages...',
  '[2/4] Fetching packages...',
  '[3/4] Linking dependencies...',
  'warning " > react-dom@18.3.1" has unmet peer dependency "react@^18.3.1".',
  ...range(10).map((i) => `info fsevents@2.3.${i}: The platform "linux" is incompatible with this module.`),
  '[4/4] Building fresh packages...',
  'success Saved lockfile.',
  'Done in 12.31s.',
].join('\n');

const pytestFormat = [
  '============================= test session starts ==============================',
  'platform linux -- Python 3.11.7, pytest-8.3.4, pluggy-1.5.0 -- /usr/bin/python3',
  'cachedir: .pytest_cache',
  'rootdir: /home/dev/app',
  'configfile: pyproject.toml',
  'plugins: anyio-4.6.2',
  'collecting ... collected 26 items',
  '',
  ...range(25).map(
    (i) =>
      `tests/test_api.py::test_case_${i} PASSED${' '.repeat(20)}[${String(Math.round(((i + 1) * 100) / 26)).padStart(3)}%]`,
  ),
  'tests/test_api.py::test_sum FAILED                                      [100%]',
  '',
  '=================================== FAILURES ===================================',
  '___________________________________ test_sum ___________________________________',
  '',
  '    def test_sum():',
  '        x = 1',
  '>       assert x + 1 == 3',
  'E       assert (1 + 1) == 3',
  '',
  'tests/test_api.py:78: AssertionError',
  '=========================== short test summary info ============================',
  'FAILED tests/test_api.py::test_sum - assert (1 + 1) == 3',
  '========================= 1 failed, 25 passed in 0.12s =========================',
].join('\n');

const npmInstall = [
  'npm warn deprecated inflight@1.0.6: This module is not supported, and leaks memory. Do not use it.',
  'npm warn deprecated glob@7.2.3: Glob versions prior to v9 are no longer supported',
  '',
  'added 301 packages, and audited 302 packages in 9s',
  '',
  '48 packages are looking for funding',
  '  run `npm fund` for details',
  '',
  '3 moderate severity vulnerabilities',
  '',
  'To address all issues (including breaking changes), run:',
  '  npm audit fix --force',
  '',
  'Run `npm audit` for details.',
].join('\n');

export const SHELL_FIXTURES: readonly ShellFixture[] = [
  { family: 'resource table', command: 'docker ps -a', output: dockerPs },
  { family: 'resource table', command: 'docker images', output: dockerImages },
  { family: 'docker build', command: 'docker build -t app .', output: dockerBuild },
  { family: 'logs', command: 'docker logs api-3', output: logs },
  { family: 'logs', command: 'kubectl logs deploy/web --since=1h', output: logs },
  { family: 'resource table', command: 'kubectl get pods -n default', output: kubectlPods },
  {
    family: 'kubectl describe',
    command: 'kubectl describe pod web-7d9f8b6c4d-abcde',
    output: kubectlDescribe,
  },
  { family: 'terraform plan', command: 'terraform plan', output: terraformPlan },
  { family: 'go', command: 'go test -v ./...', output: goTest },
  { family: '', command: 'go build ./...', output: goBuild },
  { family: 'lint or typecheck', command: 'ruff check .', output: ruff },
  { family: '', command: 'mypy app', output: mypy },
  { family: 'lint or typecheck', command: 'npx eslint src', output: eslint },
  { family: 'test run', command: 'npx jest', output: jest },
  { family: 'test run', command: 'npx vitest run', output: vitest },
  { family: 'package install', command: 'npm install', output: npmInstall },
  { family: 'package install', command: 'pnpm install', output: pnpmInstall },
  { family: 'package install', command: 'yarn install', output: yarnInstall },
  { family: 'pytest', command: 'python -m pytest -v', output: pytestFormat },
];
