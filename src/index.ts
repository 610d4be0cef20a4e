import type { Env } from './config';
import { configFor } from './config';
import { normaliseHost } from './core/hosts';
import { adminApp } from './admin/app';
import { handleEdge } from './edge/app';

/**
 * One Worker, two faces: the settings side (a Hono app) on ADMIN_HOSTS, the redirect edge
 * everywhere else, called directly so the per-request hot path pays for one dispatch only.
 * Nothing runs at module scope beyond building the route tables.
 */
export default {
  fetch(request: Request, env: Env, ctx?: ExecutionContext): Response | Promise<Response> {
    const config = configFor(env);
    const url = new URL(request.url);
    const host = normaliseHost(url.host);
    if (host !== null && config.adminHosts.has(host)) return adminApp.fetch(request, env, ctx);
    return handleEdge(request, env, config, url);
  },
} satisfies ExportedHandler<Env>;
