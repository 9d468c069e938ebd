import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mountRoutes } from '../../src/engine/routes/mount-routes.ts';
import type { Route } from '../../src/engine/routes/route.ts';
import { rustRoutes } from '../../src/engine/routes/rust-routes.ts';

/** Scans each file as ctx_routes does (without the comment pass) and joins the mounts. */
function scan(files: Record<string, string>): string[] {
  const routes: Route[] = [];
  const mounts: Parameters<typeof mountRoutes>[1][number][] = [];
  for (const [file, text] of Object.entries(files)) {
    const found = rustRoutes(text);
    routes.push(...found.routes.map((r) => ({ ...r, file })));
    mounts.push(...found.mounts.map((m) => ({ ...m, file })));
  }
  return mountRoutes(routes, mounts)
    .map((r) => `${r.method} ${r.path} → ${r.handler} (${r.file}:L${r.line})`)
    .sort();
}

const USE = 'use actix_web::{get, web, App};\n';

test('a function configured under two scopes lists its routes under both', () => {
  assert.deepEqual(
    scan({
      'src/main.rs': `${USE}fn main() {\n  App::new()\n    .service(web::scope("/v1").configure(items::config))\n    .service(web::scope("/v2").configure(items::config));\n}\n`,
      'src/items.rs': `${USE}pub fn config(cfg: &mut web::ServiceConfig) {\n  cfg.route("/items", web::get().to(list));\n}\n`,
    }),
    ['GET /v1/items → list (src/items.rs:L3)', 'GET /v2/items → list (src/items.rs:L3)'],
  );
});

test('configure calls nest: each level adds the scope around its own call', () => {
  assert.deepEqual(
    scan({
      'src/main.rs': `${USE}fn main() {\n  App::new().service(web::scope("/api").configure(routes::config));\n}\n`,
      'src/routes/mod.rs': `${USE}pub fn config(cfg: &mut web::ServiceConfig) {\n  cfg.service(web::scope("/admin").configure(admin::config));\n}\n`,
      'src/routes/admin.rs': `${USE}#[get("/stats")]\nasync fn stats() {}\npub fn config(cfg: &mut web::ServiceConfig) {\n  cfg.service(stats).service(web::resource("/users/{id}").route(web::delete().to(remove)));\n}\n`,
    }),
    [
      'DELETE /api/admin/users/{id} → remove (src/routes/admin.rs:L5)',
      'GET /api/admin/stats → stats (src/routes/admin.rs:L2)',
    ],
  );
});

test('a bare name mounts its own file first; a route nothing mounts keeps its path; a cycle ends', () => {
  assert.deepEqual(
    scan({
      'src/a.rs': `${USE}#[get("/x")]\nasync fn x() {}\nfn config(cfg: &mut web::ServiceConfig) {\n  cfg.service(web::scope("/a").service(x)).configure(config);\n}\n`,
      'src/b.rs': `${USE}#[get("/x")]\nasync fn x() {}\n#[get("/y")]\nasync fn y() {}\nfn config(cfg: &mut web::ServiceConfig) {\n  cfg.service(web::scope("/b").service(x));\n}\n`,
    }),
    ['GET /a/x → x (src/a.rs:L2)', 'GET /b/x → x (src/b.rs:L2)', 'GET /y → y (src/b.rs:L4)'],
  );
});

test('a resource without a method is ANY; scope and resource chains take comments-free text as given', () => {
  assert.deepEqual(
    scan({
      'src/main.rs': `${USE}fn main() {\n  App::new().service(\n    web::scope("/files")\n      .service(web::resource("/{name}").to(serve))\n      .route("/upload", web::post().to(upload)),\n  );\n}\n`,
    }),
    ['ANY /files/{name} → serve (src/main.rs:L5)', 'POST /files/upload → upload (src/main.rs:L6)'],
  );
});
