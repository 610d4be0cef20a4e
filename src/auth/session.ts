import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { AppError } from '../errors';
import { randomToken } from '../lib/base64url';
import type { Principal } from '../settings/principal';
import type { AdminContext as Ctx } from './context';
import { verifyAccessToken } from './tokens';

/**
 * The settings page's own session: the admin's access token in an HttpOnly cookie (out of reach
 * of page script), verified on every request exactly as the API verifies a bearer token. Forms
 * carry a CSRF token that must match a second, SameSite=Strict cookie.
 */
export const SESSION_COOKIE = 'pr_session';
export const CSRF_COOKIE = 'pr_csrf';
export const LANG_COOKIE = 'pr_lang';
const SESSION_MAX_AGE_SECONDS = 60 * 60;

/** Secure cookies over https (always, in production); plain http only for local development. */
const secure = (c: Ctx) => new URL(c.req.url).protocol === 'https:';
/**
 * Over https the session and CSRF cookies carry the `__Host-` prefix: the browser then holds
 * them to Secure, Path=/ and no Domain, so a sibling subdomain cannot plant or overwrite them.
 * Plain-http local development (localhost) cannot use the prefix.
 */
const prefix = (c: Ctx) => (secure(c) ? ('host' as const) : undefined);

/**
 * `Lax`, like the session: an admin often arrives from another site (Entra ID's redirect after
 * sign-in, the banner's link on a legacy portal), and a `Strict` cookie would be missing from that
 * page's request, so its forms would carry no token. Cross-site POSTs still lack it, and the form
 * must repeat it besides (with the Origin check), which is what stops a forged form.
 */
function setCsrfCookie(c: Ctx, token: string): string {
  setCookie(c, CSRF_COOKIE, token, {
    prefix: prefix(c),
    httpOnly: true,
    secure: secure(c),
    sameSite: 'Lax',
    path: '/',
    maxAge: SESSION_MAX_AGE_SECONDS,
  });
  return token;
}

export function startSession(c: Ctx, accessToken: string): void {
  setCookie(c, SESSION_COOKIE, accessToken, {
    prefix: prefix(c),
    httpOnly: true,
    secure: secure(c),
    sameSite: 'Lax',
    path: '/',
    maxAge: SESSION_MAX_AGE_SECONDS,
  });
  setCsrfCookie(c, randomToken());
}

/** The CSRF token, made (with its cookie) if this browser has none yet: forms before sign-in need one. */
export function ensureCsrf(c: Ctx): string {
  return csrfToken(c) || setCsrfCookie(c, randomToken());
}

export function endSession(c: Ctx): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/', prefix: prefix(c), secure: secure(c) });
  deleteCookie(c, CSRF_COOKIE, { path: '/', prefix: prefix(c), secure: secure(c) });
}

/** The signed-in admin, or `null` (no session, or its token no longer verifies). */
export async function sessionPrincipal(c: Ctx): Promise<Principal | null> {
  const token = getCookie(c, SESSION_COOKIE, prefix(c));
  if (!token) return null;
  try {
    return await verifyAccessToken(token, c.env.config.auth);
  } catch (error) {
    // A key set that cannot be fetched is the service's trouble, not a signed-out browser.
    if (error instanceof AppError && error.code === 'unavailable') throw error;
    return null;
  }
}

export function csrfToken(c: Ctx): string {
  return getCookie(c, CSRF_COOKIE, prefix(c)) ?? '';
}

/** The form's CSRF token equals the cookie's, compared in constant time. */
export function csrfMatches(c: Ctx, submitted: unknown): boolean {
  const expected = csrfToken(c);
  if (
    typeof submitted !== 'string' ||
    expected.length === 0 ||
    submitted.length !== expected.length
  )
    return false;
  let diff = 0;
  for (let i = 0; i < expected.length; i++)
    diff |= expected.charCodeAt(i) ^ submitted.charCodeAt(i);
  return diff === 0;
}

export function setLanguage(c: Ctx, lang: string): void {
  setCookie(c, LANG_COOKIE, lang, {
    secure: secure(c),
    sameSite: 'Lax',
    path: '/',
    maxAge: 365 * 24 * 60 * 60,
  });
}
