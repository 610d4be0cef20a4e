import { adminFetch } from './admin';
import type { Env } from './config';
import { loadConfig } from './config';
import { handleEdge } from './edge/app';
import { withEdgeBoundary } from './edge/boundary';

export { TenantSettings } from './objects/tenant-settings';

/**
 * One Worker, two faces: the settings side (a Hono app) on ADMIN_HOSTS, the redirect edge
 * everywhere else, called directly so the per-request hot path pays for one dispatch only.
 * The configuration is loaded here, once per isolate, and handed to both.
 */
export default {
  fetch(request: Request, env: Env, ctx?: ExecutionContext): Response | Promise<Response> {
    const config = loadConfig(env);
    const url = new URL(request.url);
    // The URL parser has lower-cased the name; admin hosts are normalised names, so membership
    // after dropping a trailing dot is the same test as normaliseHost's, without its label checks.
    const name = url.hostname;
    const hostname = name.endsWith('.') ? name.slice(0, -1) : name;
    if (config.adminHosts.has(hostname)) return adminFetch(request, env, config, ctx);
    return withEdgeBoundary(request, url, config, () => handleEdge(request, env, config, url, ctx));
  },
} satisfies ExportedHandler<Env>;
