import { env, exports } from 'cloudflare:workers';
import { importJWK, SignJWT } from 'jose';
import { DEMO_CLIENT_IDS } from '../scripts/demo-clients';
import { mintedName } from '../src/core/minted';
import { CookieSigner } from '../src/edge/signed-cookies';
import type { ProductId } from '../src/catalogue/types';
import type { Env } from '../src/config';
import worker from '../src/index';
import { ToggleStore } from '../src/store/toggles';
import { modeOf, type ToggleMode } from '../src/model/toggle';

export const testEnv = env as unknown as Env;

/** A fresh tenant per test: the isolate cache is shared, so tests never share a tenant. */
export function newTenant(): string {
  return crypto.randomUUID();
}

export function store(kv: KVNamespace = testEnv.TOGGLES): ToggleStore {
  return new ToggleStore(kv, {
    kvCacheTtlSeconds: 30,
    toggleCacheTtlMs: 20_000,
    kvReadTimeoutMs: 1000,
  });
}

export const testActor = {
  oid: '00000000-0000-0000-0000-0000000000aa',
  name: 'Test Admin',
  upn: 'admin@contoso.test',
  idp: 'test',
};

/**
 * Seed a tenant's toggle through its TenantSettings object, the writer the settings API uses: a
 * first choice is stored (version 1) even when it equals the product's default.
 */
export async function seedToggle(
  tenant: string,
  product: ProductId,
  enabled: boolean | ToggleMode,
): Promise<void> {
  const settings = testEnv.TENANT_SETTINGS.get(testEnv.TENANT_SETTINGS.idFromName(tenant));
  const result = await settings.change({
    tenant,
    product,
    mode: typeof enabled === 'boolean' ? modeOf(enabled) : enabled,
    actor: testActor,
    feedback: null,
  });
  if (!result.ok || !result.value.kvSynced)
    throw new Error(`seedToggle: ${JSON.stringify(result)}`);
}

export async function seedHost(hostname: string, tenant: string): Promise<void> {
  await store().mapHost(hostname, tenant);
}

export interface NavOptions {
  method?: string;
  cookies?: string;
  headers?: Record<string, string>;
  /** Fetch-metadata for a click inside the same site (default: a typed/bookmarked navigation). */
  site?: 'none' | 'same-origin' | 'same-site' | 'cross-site';
}

/** A top-level browser navigation, as Chromium sends it. */
export function navigation(url: string, options: NavOptions = {}): Request {
  const headers: Record<string, string> = {
    Accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
    'Sec-Fetch-Mode': 'navigate',
    'Sec-Fetch-Dest': 'document',
    'Sec-Fetch-Site': options.site ?? 'none',
    ...(options.cookies ? { Cookie: options.cookies } : {}),
    ...options.headers,
  };
  return new Request(url, { method: options.method ?? 'GET', headers, redirect: 'manual' });
}

/** Send a request through the Worker's own handler with `env` over the test bindings. */
export async function fetchWith(env: Partial<Env>, request: Request): Promise<Response> {
  return worker.fetch(request, { ...testEnv, ...env } as Env);
}

/** Send a request through the Worker as deployed (its default export, inside workerd). */
export function send(request: Request): Promise<Response> {
  return exports.default.fetch(request);
}

export async function navigate(url: string, options: NavOptions = {}): Promise<Response> {
  return send(navigation(url, options));
}

export function decisionOf(response: Response): { decision: string | null; reason: string | null } {
  return {
    decision: response.headers.get('x-redirect-decision'),
    reason: response.headers.get('x-redirect-reason'),
  };
}

/** A JWT-shaped string with the given claims, unsigned (the edge never verifies id_tokens). */
export function unsignedJwt(claims: Record<string, unknown>): string {
  const b64 = (v: unknown) => base64url(new TextEncoder().encode(JSON.stringify(v)));
  return `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64(claims)}.c2lnbmF0dXJl`;
}

/** Assert-friendly view of a Location: parsed, or null. */
export function locationOf(response: Response): URL | null {
  const location = response.headers.get('location');
  return location === null ? null : new URL(location);
}

export function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/=+$/, '')
    .replace(/\+/g, '-')
    .replace(/\//g, '_');
}

/**
 * An id_token as Entra ID posts it to a legacy portal's sign-in callback: RS256, signed with the
 * per-run key the Worker trusts as SIGNIN_JWKS (vitest.config.ts), which is also the demo Entra
 * ID's. `claims` override the defaults (v2.0 issuer of the tenant, issued now, valid an hour, the
 * Endpoint portal's client id); `key` signs with another key.
 */
export async function idToken(
  tenant: string,
  claims: Record<string, unknown> = {},
  key?: { kid: string; privateJwk: JsonWebKey },
): Promise<string> {
  const signer = key ?? testSigner();
  const now = Math.floor(Date.now() / 1000);
  const privateKey = await importJWK(signer.privateJwk, 'RS256');
  return new SignJWT({
    tid: tenant,
    ver: '2.0',
    iss: `https://login.microsoftonline.com/${tenant}/v2.0`,
    aud: DEMO_CLIENT_IDS.endpoint,
    iat: now,
    nbf: now,
    exp: now + 3600,
    nonce: 'n-0S6_WzA2Mj',
    ...claims,
  })
    .setProtectedHeader({ alg: 'RS256', kid: signer.kid, typ: 'JWT' })
    .sign(privateKey);
}

function testSigner(): { kid: string; privateJwk: JsonWebKey } {
  return JSON.parse((testEnv as unknown as { TEST_SIGNING_KEY: string }).TEST_SIGNING_KEY);
}

/** The sign-in callback's form_post, as the browser sends it after Entra ID's page. */
export function signInPost(url: string, token: string, cookies?: string, state = 'xyz'): Request {
  const body = `id_token=${token}&state=${encodeURIComponent(state)}&session_state=s`;
  return new Request(url, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      // Set by the HTTP layer on the wire; spelled out for calls straight into the Worker.
      'Content-Length': String(new TextEncoder().encode(body).length),
      'Sec-Fetch-Site': 'cross-site',
      'Sec-Fetch-Mode': 'navigate',
      'Sec-Fetch-Dest': 'document',
      Origin: 'https://login.microsoftonline.com',
      ...(cookies ? { Cookie: cookies } : {}),
    },
    body,
    redirect: 'manual',
  });
}

/** The `name=value` of each Set-Cookie of a response, by name. */
export function setCookies(response: Response): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of response.headers.getSetCookie()) {
    const pair = line.split(';')[0] as string;
    const eq = pair.indexOf('=');
    out.set(pair.slice(0, eq), line);
  }
  return out;
}

/** The value a response's Set-Cookie gives `name` (`undefined` when it sets none). */
export function cookieValue(response: Response, name: string): string | undefined {
  const line = setCookies(response).get(name);
  return line === undefined ? undefined : (line.split(';')[0] as string).slice(name.length + 1);
}

/**
 * A browser's cookies for one site, as the tests walk a trip: each response's Set-Cookie lines
 * in (Max-Age=0 removes), a Cookie header out. Paths and domains are not modelled: every
 * cookie goes back on every request, as it does for the paths these trips visit.
 */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  constructor(initial: Record<string, string> = {}) {
    for (const [name, value] of Object.entries(initial)) this.cookies.set(name, value);
  }

  take(response: Response): this {
    for (const line of response.headers.getSetCookie()) {
      const pair = line.split(';')[0] as string;
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      if (/;\s*max-age=0(?:;|$)/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, pair.slice(eq + 1));
    }
    return this;
  }

  set(name: string, value: string): this {
    this.cookies.set(name, value);
    return this;
  }

  get(name: string): string | undefined {
    return this.cookies.get(name);
  }

  has(name: string): boolean {
    return this.cookies.has(name);
  }

  header(): string {
    return [...this.cookies].map(([n, v]) => `${n}=${v}`).join('; ');
  }
}

/** The start of a sign-in trip: the navigation the legacy portal sent to Entra ID. */
export interface SignInStart {
  /** The edge's answer to the navigation: the portal's 302 to Entra ID, with the trip cookie. */
  response: Response;
  /** Entra ID's authorize URL, as the portal built it. */
  authorize: URL;
  /** The portal's sign-in callback on this host. */
  callback: string;
  nonce: string;
  state: string;
  jar: CookieJar;
}

/**
 * Walk the first half of a browser's sign-in: navigate to `url`, which the edge passes and the
 * demo legacy portal (no live session) answers with its redirect to Entra ID. The jar keeps the
 * cookies a browser would (the edge's trip, the portal's correlation cookie).
 */
export async function beginSignIn(
  url: string,
  jar = new CookieJar(),
  options: Omit<NavOptions, 'cookies'> = {},
): Promise<SignInStart> {
  const response = await navigate(url, { ...options, cookies: jar.header() });
  jar.take(response);
  const location = response.headers.get('location');
  if (response.status !== 302 || location === null || !location.includes('/oauth2/'))
    throw new Error(`beginSignIn: ${url} answered ${response.status} ${location}`);
  const authorize = new URL(location);
  const q = authorize.searchParams;
  return {
    response,
    authorize,
    callback: q.get('redirect_uri') as string,
    nonce: q.get('nonce') as string,
    state: q.get('state') as string,
    jar,
  };
}

/**
 * The second half: Entra ID's form_post back to the portal's callback, through the edge. By
 * default the demo Entra ID answers the authorize request (its tenant: the link's `?tid=`, else
 * its default); `token` posts another id_token instead, `tenant` one this test signs for that
 * tenant with the trip's nonce and the portal's client id.
 */
export async function completeSignIn(
  start: SignInStart,
  options: { token?: string; tenant?: string } = {},
): Promise<Response> {
  let token = options.token;
  let state = start.state;
  if (token === undefined && options.tenant !== undefined)
    token = await idToken(options.tenant, {
      nonce: start.nonce,
      aud: start.authorize.searchParams.get('client_id'),
    });
  if (token === undefined) ({ token, state } = await entraFormPost(start.authorize));
  const response = await send(signInPost(start.callback, token, start.jar.header(), state));
  start.jar.take(response);
  return response;
}

/** What the demo Entra ID's authorize page posts back: the id_token and state. */
export async function entraFormPost(authorize: URL): Promise<{ token: string; state: string }> {
  const page = await (await fetch(authorize)).text();
  const field = (name: string) =>
    new RegExp(`name="${name}" value="([^"]*)"`).exec(page)?.[1] ?? '';
  return { token: field('id_token'), state: field('state') };
}

/** A whole sign-in in one browser: navigate, the portal's trip to Entra ID, form_post back. */
export async function signInThrough(
  url: string,
  tenant: string,
  jar = new CookieJar(),
): Promise<{ start: SignInStart; response: Response; jar: CookieJar }> {
  const start = await beginSignIn(url, jar);
  const response = await completeSignIn(start, { tenant });
  return { start, response, jar };
}

/** The edge's own cookie's name on an https legacy host. */
export const EDGE_COOKIE = {
  tid: '__Host-portal_redirect_tid',
  trip: '__Host-portal_redirect_trip',
  hop: '__Host-portal_redirect_hop',
} as const;

/** The demo portal's client id for a product: the `aud` its sign-ins carry. */
export const CLIENT_ID = DEMO_CLIENT_IDS;

/**
 * The value of the tenant cookie the edge mints after a verified sign-in on `host` (https), made
 * with the edge's own signer and the run's COOKIE_SIGNING_SECRET: what a browser that signed in
 * there carries. `issued` backdates it.
 */
export function tenantCookie(host: string, tenant: string, issued = Date.now()): Promise<string> {
  return edgeSigner().sign(mintedName('tid', true), host, [tenant], issued);
}

/** The edge's signer under the run's secret (tests that mint or check the edge's cookies). */
export function edgeSigner(): CookieSigner {
  return new CookieSigner([
    (testEnv as { COOKIE_SIGNING_SECRET?: string }).COOKIE_SIGNING_SECRET ?? '',
  ]);
}

/**
 * A live session of the legacy portal on `host` (https), as a browser got it before: a real
 * sign-in with the demo portal and the demo Entra ID, straight to the origin (an earlier visit,
 * before this test's toggles). Returns the session cookie as `name=value`.
 */
export async function legacySession(host: string): Promise<string> {
  const origin = (testEnv as { PASSTHROUGH_ORIGIN?: string }).PASSTHROUGH_ORIGIN as string;
  const headers = { 'X-Forwarded-Host': host, 'X-Forwarded-Proto': 'https' };
  const challenge = await fetch(`${origin}/`, {
    headers: { ...headers, Accept: 'text/html', 'Sec-Fetch-Mode': 'navigate' },
    redirect: 'manual',
  });
  const correlation = (challenge.headers.getSetCookie()[0] ?? '').split(';')[0] as string;
  const { token, state } = await entraFormPost(new URL(challenge.headers.get('location') ?? ''));
  const callback = await fetch(`${origin}/signin-oidc`, {
    method: 'POST',
    headers: {
      ...headers,
      'Content-Type': 'application/x-www-form-urlencoded',
      Cookie: correlation,
    },
    body: new URLSearchParams({ id_token: token, state }),
    redirect: 'manual',
  });
  const session = (callback.headers.getSetCookie()[0] ?? '').split(';')[0] as string;
  if (callback.status !== 302 || !session.includes('='))
    throw new Error(`legacySession: the portal answered ${callback.status}`);
  return session;
}
