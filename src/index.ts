import type { Env } from './config';
import { loadConfig } from './config';
import { adminApp } from './admin/app';
import { handleEdge } from './edge/app';

/**
 * One Worker, two faces: the settings side (a Hono app) on ADMIN_HOSTS, the redirect edge
 * everywhere else, called directly so the per-request hot path pays for one dispatch only.
 * Nothing runs at module scope beyond building the route tables.
 */
export default {
  fetch(request: Request, env: Env, ctx?: ExecutionContext): Response | Promise<Response> {
    const config = loadConfig(env);
    const url = new URL(request.url);
    // The URL parser has lower-cased the name; admin hosts are normalised names, so membership
    // after dropping a trailing dot is the same test as normaliseHost's, without its label checks.
    const hostname = url.hostname.endsWith('.') ? url.hostname.slice(0, -1) : url.hostname;
    if (config.adminHosts.has(hostname)) return adminApp.fetch(request, env, ctx);
    return handleEdge(request, env, config, url);
  },
} satisfies ExportedHandler<Env>;
