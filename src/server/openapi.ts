import { z } from 'zod';
import { errorEnvelope } from './api-schemas.ts';
import type { RouteDoc } from './route-doc.ts';

type JsonSchema = Record<string, unknown>;

/** A zod schema as JSON Schema 2020-12 (the dialect of OpenAPI 3.1), without its `$schema`. */
function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

/** Query or path parameters from an object schema's properties. */
function parametersOf(schema: z.ZodObject, where: 'query' | 'path'): JsonSchema[] {
  const js = jsonSchemaOf(schema, 'input');
  const props = (js.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((js.required ?? []) as string[]);
  return Object.entries(props).map(([name, prop]) => {
    const { description, ...rest } = prop;
    return {
      name,
      in: where,
      required: where === 'path' || required.has(name),
      ...(typeof description === 'string' ? { description } : {}),
      schema: rest,
    };
  });
}

const operationId = (r: RouteDoc): string =>
  `${r.method.toLowerCase()}${r.path
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]?.toUpperCase() + w.slice(1))
    .join('')}` || r.method.toLowerCase();

function operationOf(r: RouteDoc): JsonSchema {
  const parameters = [
    ...(r.params ? parametersOf(r.params, 'path') : []),
    ...(r.query ? parametersOf(r.query, 'query') : []),
  ];
  const ok =
    r.response.type === 'application/json'
      ? { 'application/json': { schema: jsonSchemaOf(r.response.schema, 'output') } }
      : { [r.response.type]: { schema: { type: 'string' } } };
  return {
    operationId: operationId(r),
    summary: r.summary,
    ...(r.auth === 'none' ? { security: [] } : {}),
    ...(r.auth !== 'none' && r.auth !== 'token' ? { 'x-required-scope': r.auth } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(r.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: jsonSchemaOf(r.body, 'input') } },
          },
        }
      : {}),
    responses: {
      '200': { description: 'OK', content: ok },
      default: {
        description: 'Every answer that is not 2xx: a JSON envelope with a stable error_code',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      },
    },
  };
}

export type ApiSurface = 'sdk' | 'all';

/**
 * The OpenAPI 3.1 document of the given routes: `sdk` lists those the original lean-ctx
 * SDKs cover (their conformance kits refuse a server advertising more), `all` every one.
 */
export function buildOpenApi(
  routes: readonly RouteDoc[],
  opts: { version: string; surface: ApiSurface },
): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const r of routes) {
    if (opts.surface === 'sdk' && !r.sdk) continue;
    paths[r.path] ??= {};
    (paths[r.path] as Record<string, JsonSchema>)[r.method.toLowerCase()] = operationOf(r);
  }
  return {
    openapi: '3.1.1',
    info: {
      title: 'leanctx team server',
      version: opts.version,
      description:
        opts.surface === 'sdk'
          ? 'The routes the lean-ctx SDKs cover. Every route: GET /v1/openapi.json?surface=all.'
          : 'Every route of the leanctx team server.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: { Error: jsonSchemaOf(errorEnvelope, 'output') },
    },
    paths,
  };
}
