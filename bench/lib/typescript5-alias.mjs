// `node --import ./bench/lib/typescript5-alias.mjs …`: `typescript` resolves to the `typescript5`
// package (5.x, with the JS compiler API) instead of the project's typescript 7, for peers such
// as dependency-cruiser that parse TypeScript with it. Both require() and import are redirected.
import Module, { register } from 'node:module';

const alias = (request) =>
  request === 'typescript' || request.startsWith('typescript/') ? `typescript5${request.slice(10)}` : request;

const original = Module._resolveFilename;
Module._resolveFilename = function resolveTypescript5(request, ...rest) {
  return original.call(this, alias(request), ...rest);
};

register(
  `data:text/javascript,${encodeURIComponent(
    `export async function resolve(s, c, next) { return next(s === 'typescript' || s.startsWith('typescript/') ? 'typescript5' + s.slice(10) : s, c); }`,
  )}`,
);
