import { env, exports } from 'cloudflare:workers';
import { importJWK, SignJWT } from 'jose';
import type { ProductId } from '../src/catalogue/types';
import { PRODUCTS } from '../src/catalogue/products';
import type { Env } from '../src/config';
import { ToggleStore } from '../src/store/toggles';
import type { ToggleMode } from '../src/store/records';
import { modeOf } from '../src/store/records';

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

/** Seed a tenant's toggle through its TenantSettings object, the writer the settings API uses. */
export async function seedToggle(
  tenant: string,
  product: ProductId,
  enabled: boolean | ToggleMode,
): Promise<void> {
  const defaultEnabled = PRODUCTS.find((p) => p.id === product)!.defaultEnabled;
  const mode = typeof enabled === 'boolean' ? modeOf(enabled) : enabled;
  const settings = testEnv.TENANT_SETTINGS.get(testEnv.TENANT_SETTINGS.idFromName(tenant));
  // Force a stored choice even when it equals the default: flip away first if needed.
  const values: ToggleMode[] =
    mode === modeOf(defaultEnabled) ? [modeOf(!defaultEnabled), mode] : [mode];
  for (const value of values) {
    const result = await settings.change({
      tenant,
      product,
      mode: value,
      defaultEnabled,
      actor: testActor,
      feedback: null,
    });
    if (!result.ok || !result.kvSynced) throw new Error(`seedToggle: ${JSON.stringify(result)}`);
  }
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
 * per-run key the Worker trusts as SIGNIN_JWKS (vitest.config.ts). `claims` override the defaults
 * (v2.0 issuer of the tenant, issued now, valid an hour); `key` signs with another key.
 */
export async function idToken(
  tenant: string,
  claims: Record<string, unknown> = {},
  key?: { kid: string; privateJwk: JsonWebKey },
): Promise<string> {
  const signer =
    key ??
    (JSON.parse((testEnv as unknown as { TEST_SIGNING_KEY: string }).TEST_SIGNING_KEY) as {
      kid: string;
      privateJwk: JsonWebKey;
    });
  const now = Math.floor(Date.now() / 1000);
  const privateKey = await importJWK(signer.privateJwk, 'RS256');
  return new SignJWT({
    tid: tenant,
    ver: '2.0',
    iss: `https://login.microsoftonline.com/${tenant}/v2.0`,
    aud: '00000000-0000-0000-0000-00000000a11e',
    iat: now,
    nbf: now,
    exp: now + 3600,
    nonce: 'n-0S6_WzA2Mj',
    ...claims,
  })
    .setProtectedHeader({ alg: 'RS256', kid: signer.kid, typ: 'JWT' })
    .sign(privateKey);
}

/** The sign-in callback's form_post, as the browser sends it after Entra ID's page. */
export function signInPost(url: string, token: string, cookies?: string): Request {
  const body = `code=abc&id_token=${token}&state=xyz%20123&session_state=s`;
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
