import { createMiddleware } from 'hono/factory';
import { AppError } from '../errors';
import { authoriseRead } from '../settings/authorise';
import type { AdminContext, AdminEnv } from './context';
import { csrfMatches, sessionPrincipal } from './session';
import { unauthorized, verifyAccessToken } from './tokens';

/**
 * Auth at the mount points: the API mounts `bearerAuth` + `tenantAccess` over its tenant
 * routes, the settings pages `sessionAccess` (and `formCsrf` comes with every page mount).
 * Each sets `c.var.principal` / `c.var.access`; handlers never authenticate for themselves.
 */

/** API: a verified bearer token. */
export const bearerAuth = createMiddleware<AdminEnv>(async (c, next) => {
  const header = c.req.header('authorization') ?? '';
  const match = /^Bearer\s+([A-Za-z0-9._~+/=-]+)\s*$/i.exec(header);
  if (!match?.[1]) throw unauthorized('no bearer token');
  c.set('principal', await verifyAccessToken(match[1], c.env.config.auth));
  await next();
});

/** API: the path's tenant, read access to it checked by the one read check. */
export const tenantAccess = createMiddleware<AdminEnv>(async (c, next) => {
  c.set('access', authoriseRead(c.get('principal'), c.req.param('tenantId')));
  await next();
});

/**
 * Pages: the session's principal and read access to its own tenant. Without a session, the
 * answer is `signedOut`'s (the sign-in page, or back to it).
 */
export function sessionAccess(signedOut: (c: AdminContext) => Response | Promise<Response>) {
  return createMiddleware<AdminEnv>(async (c, next) => {
    const principal = await sessionPrincipal(c);
    if (!principal) return signedOut(c);
    c.set('principal', principal);
    c.set('access', authoriseRead(principal, principal.tenant));
    await next();
  });
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Pages: every unsafe request carries the form's CSRF token, equal to its cookie's. */
export const formCsrf = createMiddleware<AdminEnv>(async (c, next) => {
  if (!SAFE_METHODS.has(c.req.method)) {
    const form = await c.req.parseBody();
    if (!csrfMatches(c, form.csrf))
      throw new AppError(
        'forbidden',
        'The form has expired; reload the page and try again.',
        {},
        'CSRF token mismatch',
      );
  }
  await next();
});
