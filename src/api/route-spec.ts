import type { Hono } from 'hono';
import * as v from 'valibot';
import type { AdminContext, AdminEnv } from '../auth/context';
import { AppError } from '../errors';

type Schema = v.GenericSchema;
type Out<S> = S extends Schema ? v.InferOutput<S> : undefined;

/**
 * One route of the settings API: its path, the schemas that validate it, the responses it
 * documents and its handler. `register` mounts it; `openApiDocument` describes it. One source.
 */
export interface RouteSpec<
  P extends Schema | undefined = Schema | undefined,
  Q extends Schema | undefined = Schema | undefined,
  B extends Schema | undefined = Schema | undefined,
> {
  method: 'get' | 'put' | 'post' | 'delete';
  /** OpenAPI form, `{name}` for parameters; relative to the settings mount point. */
  path: string;
  summary: string;
  params?: P;
  query?: Q;
  body?: B;
  /** Request headers the route reads, for the document. */
  headers?: { name: string; description: string }[];
  responses: Record<
    number,
    {
      description: string;
      schema?: Schema;
      /** Media types of a body that is not JSON described by `schema` (a file download). */
      mediaTypes?: string[];
      headers?: string[];
    }
  >;
  handler: (
    c: AdminContext,
    input: { params: Out<P>; query: Out<Q>; body: Out<B> },
  ) => Promise<Response>;
}

export function defineRoute<
  P extends Schema | undefined,
  Q extends Schema | undefined,
  B extends Schema | undefined,
>(spec: RouteSpec<P, Q, B>): RouteSpec {
  return spec as unknown as RouteSpec;
}

/** Mount each route with its validation; invalid input never reaches a handler. */
export function register(app: Hono<AdminEnv>, routes: readonly RouteSpec[]): void {
  for (const route of routes) {
    const path = route.path.replace(/\{(\w+)\}/g, ':$1');
    const handler = async (c: AdminContext) => {
      const params = route.params ? validate(route.params, c.req.param(), 'path') : undefined;
      const query = route.query ? validate(route.query, c.req.query(), 'query') : undefined;
      const body = route.body ? validate(route.body, await readJson(c), 'body') : undefined;
      return route.handler(c, { params, query, body });
    };
    app.on(route.method.toUpperCase(), path, handler);
  }
}

function validate<S extends Schema>(schema: S, input: unknown, where: string): v.InferOutput<S> {
  const result = v.safeParse(schema, input);
  if (result.success) return result.output;
  const issue = result.issues[0];
  const key = issue.path?.map((p) => String(p.key)).join('.') ?? '';
  // An unknown product in the path names a resource that does not exist.
  if (where === 'path' && key === 'product') throw new AppError('not_found', 'No such product.');
  throw new AppError(
    'invalid_request',
    `Invalid ${where}${key ? ` (${key})` : ''}: ${issue.message}`,
  );
}

async function readJson(c: AdminContext): Promise<unknown> {
  const type = (c.req.header('content-type') ?? '').toLowerCase();
  if (!type.startsWith('application/json'))
    throw new AppError('invalid_request', 'Content-Type must be application/json.');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(
      await c.req.arrayBuffer(),
    );
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError('invalid_request', 'The request body is not valid UTF-8.');
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError('invalid_request', 'The request body is not valid JSON.');
  }
}
