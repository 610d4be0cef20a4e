import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { AuthConfig } from '../config';
import { AppError } from '../errors';
import type { AdminContext as Ctx } from './context';
import { base64url } from '../lib/base64url';
import { randomToken } from '../lib/base64url';
import { startSession } from './session';
import { verifyAccessToken } from './tokens';

/**
 * Production sign-in for the settings page: OpenID Connect authorization code flow with PKCE
 * (RFC 7636, S256) against Microsoft Entra ID, configured by AUTH_CLIENT_ID and AUTH_AUTHORITY
 * (e.g. https://login.microsoftonline.com/organizations/v2.0). The access token it returns is
 * verified exactly as the API verifies bearer tokens and kept in the HttpOnly session cookie.
 */
const FLOW_COOKIE = 'pr_oidc';
const FLOW_MAX_AGE_SECONDS = 600;
/** Over https the flow cookie is `__Secure-` prefixed (its Path=/auth rules out `__Host-`). */
const flowPrefix = (c: Ctx) =>
  new URL(c.req.url).protocol === 'https:' ? ('secure' as const) : undefined;

/** The OIDC settings, or a 404 when sign-in with Microsoft is not configured here. */
function oidcOf(c: Ctx): NonNullable<AuthConfig['oidc']> {
  const oidc = c.env.config.auth.oidc;
  if (!oidc) throw new AppError('not_found', 'Sign-in with Microsoft is not configured here.');
  return oidc;
}

const scopeOf = (c: Ctx) => `openid profile ${c.env.config.auth.audience}/.default`;

const redirectUri = (c: Ctx) => new URL('/auth/callback', c.req.url).href;

async function challengeOf(verifier: string): Promise<string> {
  return base64url(
    new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))),
  );
}

export async function oidcLogin(c: Ctx): Promise<Response> {
  const oidc = oidcOf(c);
  const state = randomToken();
  const verifier = randomToken(48);
  const nonce = randomToken();
  setCookie(c, FLOW_COOKIE, `${state}.${verifier}.${nonce}`, {
    prefix: flowPrefix(c),
    httpOnly: true,
    secure: new URL(c.req.url).protocol === 'https:',
    sameSite: 'Lax',
    path: '/auth',
    maxAge: FLOW_MAX_AGE_SECONDS,
  });
  const url = new URL(oidc.authorize);
  url.searchParams.set('client_id', oidc.clientId);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('redirect_uri', redirectUri(c));
  url.searchParams.set('response_mode', 'query');
  url.searchParams.set('scope', scopeOf(c));
  url.searchParams.set('state', state);
  url.searchParams.set('nonce', nonce);
  url.searchParams.set('code_challenge', await challengeOf(verifier));
  url.searchParams.set('code_challenge_method', 'S256');
  return c.redirect(url.href, 302);
}

export async function oidcCallback(c: Ctx): Promise<Response> {
  const oidc = oidcOf(c);
  const [state, verifier] = (getCookie(c, FLOW_COOKIE, flowPrefix(c)) ?? '').split('.');
  deleteCookie(c, FLOW_COOKIE, { path: '/auth', prefix: flowPrefix(c) });
  const code = c.req.query('code');
  if (!state || !verifier || c.req.query('state') !== state || !code) {
    throw new AppError(
      'invalid_request',
      'The sign-in could not be completed; start again.',
      {},
      'state mismatch or no code',
    );
  }
  const form = new URLSearchParams({
    client_id: oidc.clientId,
    grant_type: 'authorization_code',
    code,
    redirect_uri: redirectUri(c),
    code_verifier: verifier,
    scope: scopeOf(c),
  });
  if (oidc.clientSecret) form.set('client_secret', oidc.clientSecret);
  let token: string | undefined;
  try {
    const res = await fetch(oidc.token.href, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: form,
      signal: AbortSignal.timeout(10_000),
    });
    token = ((await res.json()) as { access_token?: string }).access_token;
  } catch (error) {
    throw new AppError(
      'unavailable',
      'The sign-in service did not answer; try again.',
      { 'Retry-After': '5' },
      String(error),
    );
  }
  if (!token)
    throw new AppError(
      'unauthorized',
      'A valid access token is required.',
      {},
      'no access_token from the token endpoint',
    );
  await verifyAccessToken(token, c.env.config.auth);
  startSession(c, token);
  return c.redirect('/settings', 303);
}
