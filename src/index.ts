import { Hono } from 'hono';
import type { Env } from './config';
import { configFor } from './config';
import { normaliseHost } from './core/hosts';
import { adminApp } from './admin/app';
import { edgeApp } from './edge/app';

/**
 * One Worker, two faces: the settings side on ADMIN_HOSTS, the redirect edge everywhere else.
 * Nothing runs at module scope beyond building the route tables.
 */
const app = new Hono<{ Bindings: Env }>();

app.all('*', (c) => {
  const config = configFor(c.env);
  const host = normaliseHost(new URL(c.req.url).host);
  const target = host !== null && config.adminHosts.has(host) ? adminApp : edgeApp;
  return target.fetch(c.req.raw, c.env, executionCtxOf(c));
});

export default app;

/** The execution context, when the runtime gave one (a direct `app.fetch(req, env)` call has none). */
function executionCtxOf(c: { executionCtx: ExecutionContext }): ExecutionContext | undefined {
  try {
    return c.executionCtx;
  } catch {
    return undefined;
  }
}
