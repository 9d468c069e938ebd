import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsRoutes } from '../../src/engine/routes/js-routes.ts';
import { mountRoutes } from '../../src/engine/routes/mount-routes.ts';
import type { Route } from '../../src/engine/routes/route.ts';

function scan(files: Record<string, string>): string[] {
  const routes: Route[] = [];
  const mounts: Parameters<typeof mountRoutes>[1][number][] = [];
  for (const [file, text] of Object.entries(files)) {
    const found = jsRoutes(file, text);
    routes.push(...found.routes.map((r) => ({ ...r, file })));
    mounts.push(...found.mounts.map((m) => ({ ...m, file })));
  }
  return mountRoutes(routes, mounts)
    .map((r) => `${r.method} ${r.path} → ${r.handler} (${r.file}:L${r.line})`)
    .sort();
}

test('Express routers mounted through ESM imports nest: app → api → users, each prefix in front', () => {
  assert.deepEqual(
    scan({
      'src/app.ts':
        "import express from 'express';\nimport api from './routes/index.js';\nconst app = express();\napp.use('/api', api);\n",
      'src/routes/index.ts':
        "import { Router } from 'express';\nimport { users as usersRouter } from './users';\nconst router = Router();\nrouter.use('/users', usersRouter);\nrouter.get('/health', health);\nexport default router;\n",
      'src/routes/users.ts':
        "import express from 'express';\nexport const users = express.Router();\nusers.get('/', list);\nusers.post('/:id/ban', ban);\n",
    }),
    [
      'GET /api/health → health (src/routes/index.ts:L5)',
      'GET /api/users → list (src/routes/users.ts:L3)',
      'POST /api/users/:id/ban → ban (src/routes/users.ts:L4)',
    ],
  );
});

test('CommonJS: require inline, destructured, twice-mounted; a package import or unexported router is left as it is', () => {
  assert.deepEqual(
    scan({
      'app.js':
        "const express = require('express');\nconst { admin } = require('./admin');\nconst app = express();\napp.use('/v1', require('./items'));\napp.use('/v2', require('./items'));\napp.use('/admin', auth, admin);\napp.use('/ext', require('some-package'));\n",
      'items.js':
        "const router = require('express').Router();\nrouter.get('/items', list);\nmodule.exports = router;\n",
      'admin.js':
        "const express = require('express');\nconst router = express.Router();\nrouter.delete('/cache', flush);\nmodule.exports = { admin: router };\n",
      'local.js':
        "const express = require('express');\nconst router = express.Router();\nrouter.get('/local', h);\n",
    }),
    [
      'DELETE /admin/cache → flush (admin.js:L3)',
      'GET /local → h (local.js:L3)',
      'GET /v1/items → list (items.js:L2)',
      'GET /v2/items → list (items.js:L2)',
    ],
  );
});

test('Hono: app.route(path, sub) puts a sub-app under the path', () => {
  assert.deepEqual(
    scan({
      'src/index.ts':
        "import { Hono } from 'hono';\nimport books from './books';\nconst app = new Hono();\napp.route('/books', books);\n",
      'src/books.ts':
        "import { Hono } from 'hono';\nconst app = new Hono();\napp.get('/', (c) => c.json([]));\napp.post('/:id', create);\nexport default app;\n",
    }),
    ['GET /books → <inline> (src/books.ts:L3)', 'POST /books/:id → create (src/books.ts:L4)'],
  );
});
