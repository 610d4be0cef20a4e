/**
 * A stand-in for Microsoft Entra ID's authorize and token endpoints at
 * `/{tenant}/oauth2/v2.0/...`, served by the demo origin (scripts/demo-origin.ts) on loopback,
 * where login.microsoftonline.com cannot be reached. Two flows, as the real endpoints answer them:
 *
 * - the settings page's sign-in: authorization code with PKCE (`response_mode=query`); the token
 *   endpoint checks the verifier and returns an RS256 access token for a Security Administrator;
 * - a legacy portal's sign-in (`response_mode=form_post`): an HTML page that posts `id_token`
 *   and `state` back to the `redirect_uri`, the id_token carrying the request's `nonce` and the
 *   client id as `aud`, as Entra ID's own form_post page does.
 *
 * The tenant is the path's (`/{tenant}/...`); `organizations` and `common` sign in to the tenant
 * this browser last signed in to here (Entra ID's own single sign-on session, kept in a cookie on
 * the stand-in's origin), else to the stand-in's default tenant.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { entraClaims, signToken } from '../src/auth/dev-tokens.ts';
import { asTenantId } from '../src/core/tenant.ts';
import { escapeHtml } from '../src/lib/html.ts';

/** A signing key for the stand-in (tests and `npm start` only). */
export interface OidcSigner {
  kid: string;
  privateJwk: JsonWebKey;
  /** The `aud` of the access tokens the settings page's sign-in gets (AUTH_AUDIENCE). */
  audience: string;
}

export const ENTRA_PATH = /^\/([0-9a-z-]{1,64})\/oauth2\/v2\.0\/(authorize|token)(?:\?|$)/;

const codes = new Map<string, { challenge: string; redirectUri: string; tenant: string }>();

export async function entraStandIn(
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  signer: OidcSigner,
  defaultTenant: string,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://x');
  const segment = url.pathname.split('/')[1] as string;
  const remembered = /(?:^|;\s*)demo_entra_tenant=([0-9a-f-]{36})/.exec(
    String(req.headers.cookie ?? ''),
  )?.[1];
  const tenant = asTenantId(segment) === segment ? segment : (remembered ?? defaultTenant);
  if (url.pathname.endsWith('/authorize')) {
    const q = url.searchParams;
    res.setHeader('Set-Cookie', `demo_entra_tenant=${tenant}; Path=/; HttpOnly; SameSite=Lax`);
    if (q.get('response_mode') === 'form_post') return formPost(res, q, tenant, signer);
    return codeFlow(res, q, tenant);
  }
  return tokenEndpoint(res, body, signer);
}

/** A legacy portal's sign-in: the page Entra ID answers with, which posts the id_token back. */
async function formPost(
  res: ServerResponse,
  q: URLSearchParams,
  tenant: string,
  signer: OidcSigner,
): Promise<void> {
  const redirectUri = q.get('redirect_uri');
  const clientId = q.get('client_id');
  const nonce = q.get('nonce');
  if (!redirectUri || !clientId || !nonce || !(q.get('response_type') ?? '').includes('id_token'))
    return void res.writeHead(400).end('AADSTS900144: a required parameter is missing');
  const idToken = await signToken(
    signer.privateJwk,
    signer.kid,
    entraClaims({
      tenant,
      audience: clientId,
      name: 'Dana Demo',
      upn: `dana@${tenant.slice(0, 8)}.onmicrosoft.com`,
      claims: { nonce, wids: undefined, idp: undefined },
    }),
  );
  const field = (name: string, value: string) =>
    `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;
  const page =
    `<!doctype html><html><head><title>Working...</title></head><body>` +
    `<form method="POST" name="hiddenform" action="${escapeHtml(redirectUri)}">` +
    field('id_token', idToken) +
    field('state', q.get('state') ?? '') +
    field('session_state', randomBytes(16).toString('hex')) +
    `<noscript><p>Script is disabled. Click Submit to continue.</p><input type="submit" value="Submit"></noscript>` +
    `</form><script>document.forms[0].submit()</script></body></html>`;
  res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(page);
}

/** The settings page's sign-in: a code bound to the PKCE challenge and redirect URI. */
function codeFlow(res: ServerResponse, q: URLSearchParams, tenant: string): void {
  if (
    q.get('response_type') !== 'code' ||
    q.get('code_challenge_method') !== 'S256' ||
    !q.get('code_challenge') ||
    !q.get('redirect_uri')
  ) {
    return void res.writeHead(400).end('bad authorize request');
  }
  const code = randomBytes(32).toString('hex');
  codes.set(code, {
    challenge: q.get('code_challenge') as string,
    redirectUri: q.get('redirect_uri') as string,
    tenant,
  });
  const back = new URL(q.get('redirect_uri') as string);
  back.searchParams.set('code', code);
  back.searchParams.set('state', q.get('state') ?? '');
  res.writeHead(302, { Location: back.href }).end();
}

async function tokenEndpoint(res: ServerResponse, body: Buffer, signer: OidcSigner) {
  const form = new URLSearchParams(body.toString());
  const grant = codes.get(form.get('code') ?? '');
  codes.delete(form.get('code') ?? '');
  const verifier = form.get('code_verifier') ?? '';
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  if (
    !grant ||
    form.get('grant_type') !== 'authorization_code' ||
    grant.challenge !== challenge ||
    grant.redirectUri !== form.get('redirect_uri')
  ) {
    return void res
      .writeHead(400, { 'Content-Type': 'application/json' })
      .end('{"error":"invalid_grant"}');
  }
  const token = await signToken(
    signer.privateJwk,
    signer.kid,
    entraClaims({
      tenant: grant.tenant,
      roles: ['security-admin'],
      name: 'OIDC Admin',
      audience: signer.audience,
    }),
  );
  res
    .writeHead(200, { 'Content-Type': 'application/json' })
    .end(JSON.stringify({ token_type: 'Bearer', access_token: token, expires_in: 3600 }));
}
