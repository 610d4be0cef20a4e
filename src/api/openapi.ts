import { toJsonSchema } from '@valibot/to-json-schema';
import type * as v from 'valibot';
import { ErrorSchema } from './schemas';
import type { RouteSpec } from './route-spec';

type JsonSchema = Record<string, unknown>;

const COMMON_ERRORS: Record<number, string> = {
  400: 'invalid_request: bad JSON, bad GUID, unknown field, too-long feedback',
  401: 'unauthorized: missing or invalid access token',
  403: 'forbidden: another tenant, or a role that may not do this',
  404: 'not_found',
  503: 'unavailable: the settings store is busy; retry after Retry-After seconds',
};

let cached: JsonSchema | null = null;

function schemaOf(schema: v.GenericSchema): JsonSchema {
  const json = toJsonSchema(schema, { errorMode: 'ignore' }) as JsonSchema;
  delete json.$schema;
  return json;
}

/** Query and path parameters of an object schema, as OpenAPI parameter objects. */
function parametersOf(schema: v.GenericSchema | undefined, where: 'path' | 'query'): JsonSchema[] {
  if (!schema) return [];
  const json = schemaOf(schema);
  const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(properties).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || required.has(name),
    schema: s,
  }));
}

/** The OpenAPI 3.1 document, generated from the route specs and their schemas (built once). */
export function openApiDocument(routes: readonly RouteSpec[]): JsonSchema {
  if (cached) return cached;
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    const responses: Record<string, JsonSchema> = {};
    for (const [status, r] of Object.entries(route.responses)) {
      responses[status] = {
        description: r.description,
        ...(r.schema ? { content: { 'application/json': { schema: schemaOf(r.schema) } } } : {}),
        ...(r.mediaTypes
          ? {
              content: Object.fromEntries(
                r.mediaTypes.map((m) => [m, { schema: { type: 'string' } }]),
              ),
            }
          : {}),
        ...(r.headers
          ? {
              headers: Object.fromEntries(
                r.headers.map((h) => [h, { schema: { type: 'string' } }]),
              ),
            }
          : {}),
      };
    }
    for (const [status, description] of Object.entries(COMMON_ERRORS)) {
      responses[status] ??= {
        description,
        content: { 'application/json': { schema: schemaOf(ErrorSchema) } },
      };
    }
    if (route.body)
      responses['413'] ??= {
        description: 'payload_too_large: body over 16 KiB',
        content: { 'application/json': { schema: schemaOf(ErrorSchema) } },
      };
    paths[`/api${route.path}`] ??= {};
    (paths[`/api${route.path}`] as Record<string, JsonSchema>)[route.method] = {
      summary: route.summary,
      security: [{ entraId: [] }],
      parameters: [
        ...parametersOf(route.params, 'path'),
        ...parametersOf(route.query, 'query'),
        ...(route.headers ?? []).map((h) => ({
          name: h.name,
          in: 'header',
          required: false,
          description: h.description,
          schema: { type: 'string' },
        })),
      ],
      ...(route.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: schemaOf(route.body) } },
            },
          }
        : {}),
      responses,
    };
  }
  cached = {
    openapi: '3.1.0',
    info: {
      title: 'portal-redirect settings API',
      version: '1.0.0',
      description:
        'Per-tenant, per-product automatic redirection to the Microsoft Defender portal.',
    },
    components: {
      securitySchemes: {
        entraId: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT (Microsoft Entra ID access token, RS256)',
        },
      },
    },
    paths,
  };
  return cached;
}
