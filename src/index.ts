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
    // Read once for both faces: every URL getter is a call into the runtime that makes a string.
    const host = url.host;
    if (config.adminHosts.has(adminName(host))) return adminFetch(request, env, config, ctx);
    return withEdgeBoundary(request, url, config, () =>
      handleEdge(request, env, config, url, ctx, host),
    );
  },
} satisfies ExportedHandler<Env>;

/**
 * The name an admin host is listed under: the host (which the URL parser has lower-cased)
 * without its port and a trailing dot. Admin hosts are normalised names, so membership of this
 * is the same test as normaliseHost's, without its label checks; an IPv6 literal (`[::1]`),
 * whatever this makes of it, is never one.
 */
function adminName(host: string): string {
  const colon = host.lastIndexOf(':');
  const name = colon === -1 ? host : host.slice(0, colon);
  return name.endsWith('.') ? name.slice(0, -1) : name;
}
