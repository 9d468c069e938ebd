# syntax=docker/dockerfile:1
# The leanctx team server as an image. Build from the repository root:
#   docker build -t leanctx .
# Run it the way the docs write it (team.json, the database and the audit log go to /data;
# the project to serve is mounted at /workspace, the working directory):
#   docker run -d --name leanctx-team -p 7700:7700 -v leanctx-data:/data \
#     -v "$PWD:/workspace:ro" leanctx serve --team --data-dir /data
# test/integration/deploy-files.test.ts runs this file's ENTRYPOINT + CMD and HEALTHCHECK as
# processes, so they cannot drift from the CLI.

ARG NODE_VERSION=20

FROM node:${NODE_VERSION}-bookworm AS build
# The toolchain for native modules: better-sqlite3 compiles when no prebuilt binary fits.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# Install scripts run only where they are needed: better-sqlite3 (native) and @vscode/ripgrep
# (fetches rg). The tree-sitter grammars are used for the .wasm files they ship, so their
# native bindings are never compiled; `prepare` would build before src/ is here.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm rebuild better-sqlite3 @vscode/ripgrep
COPY scripts/build.mjs scripts/build.mjs
COPY src src
COPY bin bin
RUN node scripts/build.mjs

FROM node:${NODE_VERSION}-bookworm-slim
# git: team sync and the git-based graph actions; tini: PID 1 that reaps orphaned children.
RUN apt-get update \
 && apt-get install -y --no-install-recommends git ca-certificates tini \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY --from=build /app/bin bin
COPY deploy/healthcheck.mjs deploy/healthcheck.mjs
# A named volume mounted at /data takes this ownership on first use.
RUN ln -s /app/bin/lean-ctx.js /usr/local/bin/lean-ctx \
 && mkdir -p /data /workspace \
 && chown node:node /data /workspace
# Inside a container the server must listen on every interface to be reachable through -p;
# `serve` reads its --bind from LEANCTX_BIND (the CLI's own default stays 127.0.0.1).
ENV NODE_ENV=production \
    LEANCTX_BIND=0.0.0.0:7700
USER node
WORKDIR /workspace
VOLUME ["/data"]
EXPOSE 7700
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "/app/deploy/healthcheck.mjs"]
ENTRYPOINT ["tini", "--", "node", "/app/bin/lean-ctx.js"]
CMD ["serve", "--team", "--data-dir", "/data"]
