import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, before, test } from 'node:test';
import {
  callTool,
  callToolText,
  type RunningTestServer,
  startTestServer,
} from '../../helpers/team-server.ts';

const FIXTURES = 'test/fixtures/routes';

function readTree(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (abs: string) => {
    for (const e of readdirSync(abs, { withFileTypes: true })) {
      const p = join(abs, e.name);
      if (e.isDirectory()) walk(p);
      else files[relative(dir, p)] = readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return files;
}

/** Each framework's routes, written by hand from its fixture (file paths under the fixture dir). */
const EXPECTED: Record<string, string[]> = {
  express: [
    'GET / → <inline> (express/app.js:L6)',
    'POST /login → users.login (express/app.js:L10)',
    'GET /book → listBooks (express/app.js:L20)',
    'PUT /book → updateBook (express/app.js:L23)',
    // app.js mounts users.js's exported router: app.use('/users', users.router)
    'GET /users → list (express/users.js:L9)',
    'GET /users/:id → show (express/users.js:L10)',
    'DELETE /users/:id → remove (express/users.js:L13)',
  ],
  fastify: [
    'GET / → handler (fastify/server.js:L5)',
    'GET /items/:id → getItem (fastify/server.js:L9)',
    'HEAD /items/:id → getItem (fastify/server.js:L9)',
    'POST /animals → createAnimal (fastify/plugin.js:L2)',
  ],
  hono: [
    'GET / → <inline> (hono/index.ts:L6)',
    'GET /api/posts/:id → getPost (hono/index.ts:L8)',
    'PUT /api/posts/:id → <inline> (hono/index.ts:L9)',
  ],
  koa: ['GET /users/:id → showUser (koa/router.js:L7)', 'POST /users → <inline> (koa/router.js:L8)'],
  next: [
    'GET /api/users → GET (next/app/api/users/route.ts:L3)',
    'POST /api/users → POST (next/app/api/users/route.ts:L7)',
    'GET /api/users/[id] → GET (next/app/api/users/[id]/route.ts:L1)',
    'DELETE /api/users/[id] → DELETE (next/app/api/users/[id]/route.ts:L6)',
    'POST /contact → POST (next/app/(marketing)/contact/route.ts:L1)',
    'ANY /api/posts → handler (next/pages/api/posts/index.ts:L3)',
    'ANY /api/hello → hello (next/pages/api/hello.ts:L3)',
  ],
  nestjs: [
    'POST /cats → CatsController.create (nestjs/cats.controller.ts:L6)',
    'GET /cats → CatsController.findAll (nestjs/cats.controller.ts:L12)',
    'GET /cats/:id → CatsController.findOne (nestjs/cats.controller.ts:L17)',
    'DELETE /cats/:id → CatsController.remove (nestjs/cats.controller.ts:L22)',
  ],
  flask: [
    'GET / → index (flask/app.py:L7)',
    'GET /login → login (flask/app.py:L12)',
    'POST /login → login (flask/app.py:L12)',
    'POST /auth/register → register (flask/app.py:L18)',
    'GET /user/<username> → show_user_profile (flask/app.py:L23)',
  ],
  fastapi: [
    'GET / → root (fastapi/main.py:L7)',
    'GET /items/{item_id} → read_item (fastapi/main.py:L12)',
    'PUT /items/{item_id} → update_item (fastapi/main.py:L17)',
  ],
  django: [
    'ANY /articles/2003/ → views.special_case_2003 (django/news/urls.py:L6)',
    'ANY /articles/<int:year>/ → views.year_archive (django/news/urls.py:L7)',
    'ANY /^articles/(?P<year>[0-9]{4})/(?P<month>[0-9]{2})/$ → views.month_archive (django/news/urls.py:L8)',
    'ANY /about/ → views.AboutView.as_view() (django/news/urls.py:L9)',
  ],
  spring: [
    'GET /api/users → UserController.all (spring/src/main/java/com/example/demo/UserController.java:L9)',
    'GET /api/users/{id} → UserController.one (spring/src/main/java/com/example/demo/UserController.java:L14)',
    'POST /api/users → UserController.newUser (spring/src/main/java/com/example/demo/UserController.java:L19)',
    'DELETE /api/users/{id} → UserController.deleteUser (spring/src/main/java/com/example/demo/UserController.java:L24)',
  ],
  rails: [
    'GET / → pages#home (rails/config/routes.rb:L2)',
    'GET /patients/:id → patients#show (rails/config/routes.rb:L4)',
    'POST /login → sessions#create (rails/config/routes.rb:L5)',
    'GET /photos → photos#index (rails/config/routes.rb:L7)',
    'GET /photos/:id → photos#show (rails/config/routes.rb:L7)',
    'GET /magazines → magazines#index (rails/config/routes.rb:L9)',
    'POST /magazines/:magazine_id/ads → ads#create (rails/config/routes.rb:L10)',
    'GET /magazines/:id/preview → magazines#preview (rails/config/routes.rb:L12)',
    'GET /profile → profiles#show (rails/config/routes.rb:L16)',
    'PATCH /profile → profiles#update (rails/config/routes.rb:L16)',
    'PUT /profile → profiles#update (rails/config/routes.rb:L16)',
    'GET /admin/articles → admin/articles#index (rails/config/routes.rb:L19)',
    'POST /admin/articles → admin/articles#create (rails/config/routes.rb:L19)',
  ],
  gin: [
    'GET /ping → <inline> (gin/main.go:L11)',
    'POST /v1/login → loginEndpoint (gin/main.go:L17)',
    'GET /v1/users/:id → getUser (gin/main.go:L18)',
  ],
  echo: [
    'GET /users/:id → getUser (echo/server.go:L11)',
    'PUT /users/:id → updateUser (echo/server.go:L12)',
    'DELETE /admin/users/:id → deleteUser (echo/server.go:L15)',
  ],
  actix: [
    'GET / → hello (actix/src/main.rs:L3)',
    'POST /echo → echo (actix/src/main.rs:L8)',
    'GET /hey → manual_hello (actix/src/main.rs:L23)',
  ],
  // scopes, resources, and `.configure`/`.service` mounting another file's routes under them
  'actix-app': [
    'GET /health → status (actix-app/src/health.rs:L3)',
    'ANY / → index (actix-app/src/main.rs:L21)',
    'GET /api/users/{id} → get_user (actix-app/src/api/users.rs:L3)',
    'GET /api/users → list_users (actix-app/src/api/users.rs:L21)',
    'POST /api/users → create_user (actix-app/src/api/users.rs:L21)',
    'GET /api/v1/orders → list_orders (actix-app/src/api/orders.rs:L12)',
    'POST /api/v1/orders/{id}/cancel → cancel_order (actix-app/src/api/orders.rs:L13)',
  ],
  axum: [
    'GET / → root (axum/src/main.rs:L9)',
    'POST /users → create_user (axum/src/main.rs:L10)',
    'GET /users/{id} → show_user (axum/src/main.rs:L11)',
    'DELETE /users/{id} → delete_user (axum/src/main.rs:L11)',
  ],
  laravel: [
    'GET / → <inline> (laravel/routes/web.php:L7)',
    'GET /user/{id} → UserController@show (laravel/routes/web.php:L11)',
    'GET /contact → ContactController@handle (laravel/routes/web.php:L12)',
    'POST /contact → ContactController@handle (laravel/routes/web.php:L12)',
    'GET /photos → PhotoController@index (laravel/routes/web.php:L16)',
    'GET /photos/create → PhotoController@create (laravel/routes/web.php:L16)',
    'POST /photos → PhotoController@store (laravel/routes/web.php:L16)',
    'GET /photos/{photo} → PhotoController@show (laravel/routes/web.php:L16)',
    'GET /photos/{photo}/edit → PhotoController@edit (laravel/routes/web.php:L16)',
    'PUT /photos/{photo} → PhotoController@update (laravel/routes/web.php:L16)',
    'PATCH /photos/{photo} → PhotoController@update (laravel/routes/web.php:L16)',
    'DELETE /photos/{photo} → PhotoController@destroy (laravel/routes/web.php:L16)',
    'POST /api/posts → PostController@store (laravel/routes/api.php:L6)',
    'GET /admin/users → UserController@index (laravel/routes/web.php:L19)',
    'DELETE /admin/reports/{id} → ReportController@destroy (laravel/routes/web.php:L21)',
    'GET /after → UserController@after (laravel/routes/web.php:L25)',
  ],
  negative: [],
};

const ROUTE_LINE = /^(\S+) (\S+) → (.+) \((\S+):L(\d+)\)$/;
const routeLines = (text: string) => text.split('\n').filter((l) => ROUTE_LINE.test(l));

let srv: RunningTestServer;
before(async () => {
  srv = await startTestServer({ files: readTree(FIXTURES) });
});
after(() => srv.close());

test('every framework fixture answers exactly the routes written down by hand, nothing from comments, clients or tests', async () => {
  const text = await callToolText(srv, 'alice', 'ctx_routes', {});
  const byDir = new Map<string, string[]>();
  for (const line of routeLines(text)) {
    const dir = ROUTE_LINE.exec(line)![4]!.split('/')[0]!;
    byDir.set(dir, [...(byDir.get(dir) ?? []), line]);
  }
  assert.deepEqual(Object.keys(EXPECTED).sort(), readdirSync(FIXTURES).sort(), 'one expectation per fixture');
  for (const [dir, expected] of Object.entries(EXPECTED)) {
    assert.deepEqual((byDir.get(dir) ?? []).sort(), [...expected].sort(), `${dir}:\n${text}`);
  }
  const total = Object.values(EXPECTED).flat().length;
  assert.match(text, new RegExp(`^${total} route\\(s\\) in \\d+ file\\(s\\) \\(`));
  assert.match(text, /tok saved/);
});

test('method and path prefix narrow the list; ANY routes answer every method', async () => {
  const text = await callToolText(srv, 'alice', 'ctx_routes', { method: 'delete', path: 'api/' });
  assert.deepEqual(routeLines(text).sort(), [
    'ANY /api/hello → hello (next/pages/api/hello.ts:L3)',
    'ANY /api/posts → handler (next/pages/api/posts/index.ts:L3)',
    'DELETE /api/users/[id] → DELETE (next/app/api/users/[id]/route.ts:L6)',
    'DELETE /api/users/{id} → UserController.deleteUser (spring/src/main/java/com/example/demo/UserController.java:L24)',
  ]);
  const none = await callToolText(srv, 'alice', 'ctx_routes', { path: '/nowhere' });
  assert.match(none, /^0 routes \(under \/nowhere\) in \d+ source file\(s\) scanned/);
  // a prefix is whole path segments: /user is not /users
  assert.deepEqual(routeLines(await callToolText(srv, 'alice', 'ctx_routes', { path: '/user' })), [
    'GET /user/{id} → UserController@show (laravel/routes/web.php:L11)',
    'GET /user/<username> → show_user_profile (flask/app.py:L23)',
  ]);
  await assert.rejects(
    callToolText(srv, 'alice', 'ctx_routes', { method: 'FETCH' }),
    /method "FETCH" is not an HTTP method; use one of GET, POST/,
  );
});

test('an edited file shows its new route on the next call', async () => {
  const file = join(srv.root, 'gin/main.go');
  const before = readFileSync(file, 'utf8');
  try {
    writeFileSync(file, before.replace('v1.GET("/users/:id", getUser)', 'v1.PATCH("/users/:id", getUser)'));
    const text = await callToolText(srv, 'alice', 'ctx_routes', { path: '/v1/users' });
    assert.deepEqual(routeLines(text), ['PATCH /v1/users/:id → getUser (gin/main.go:L18)']);
  } finally {
    writeFileSync(file, before);
  }
});

test('a viewer token (no graph scope) is refused', async () => {
  const viewer = await startTestServer({
    tokens: [{ id: 'vic', role: 'viewer' }],
    files: { 'app.js': "const app = express();\napp.get('/', h);\n" },
  });
  try {
    const res = await callTool(viewer, 'vic', { name: 'ctx_routes', arguments: {} });
    assert.equal(res.status, 403);
  } finally {
    await viewer.close();
  }
});
