import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Env } from '../config';
import type { Principal } from './auth';
import { verifyAccessToken } from './auth';

/**
 * The settings page's own session: the admin's access token in an HttpOnly cookie (out of reach
 * of page script), verified on every request exactly as the API verifies a bearer token. Forms
 * carry a CSRF token that must match a second, SameSite=Strict cookie.
 */
export const SESSION_COOKIE = 'pr_session';
export const CSRF_COOKIE = 'pr_csrf';
export const LANG_COOKIE = 'pr_lang';
const SESSION_MAX_AGE_SECONDS = 60 * 60;

type Ctx = Context<{ Bindings: Env }>;

/** Secure cookies over https (always, in production); plain http only for local development. */
const secure = (c: Ctx) => new URL(c.req.url).protocol === 'https:';

function setCsrfCookie(c: Ctx, token: string): string {
  setCookie(c, CSRF_COOKIE, token, {
    httpOnly: true,
    secure: secure(c),
    sameSite: 'Strict',
    path: '/',
    maxAge: SESSION_MAX_AGE_SECONDS,
  });
  return token;
}

export function startSession(c: Ctx, accessToken: string): void {
  setCookie(c, SESSION_COOKIE, accessToken, {
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
  deleteCookie(c, SESSION_COOKIE, { path: '/' });
  deleteCookie(c, CSRF_COOKIE, { path: '/' });
}

/** The signed-in admin, or `null` (no session, or its token no longer verifies). */
export async function sessionPrincipal(c: Ctx): Promise<Principal | null> {
  const token = getCookie(c, SESSION_COOKIE);
  if (!token) return null;
  try {
    return await verifyAccessToken(token, c.env);
  } catch {
    return null;
  }
}

export function csrfToken(c: Ctx): string {
  return getCookie(c, CSRF_COOKIE) ?? '';
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

export function randomToken(bytes = 32): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** Unpadded base64url (RFC 4648 section 5), as JWTs, PKCE and cookies want it. */
export function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/=+$/, '')
    .replace(/\+/g, '-')
    .replace(/\//g, '_');
}
