import type { RoleName } from '../src/catalogue/roles';
import { entraClaims, newSigningKey, type SigningKey, signToken } from '../src/auth/dev-tokens';
import { base64url, send, testEnv } from './helpers';

export const AUDIENCE = 'api://portal-redirect';

/** The per-run key the Worker trusts (made in vitest.config.ts). */
export function trustedKey(): SigningKey {
  return JSON.parse(
    (testEnv as unknown as { TEST_SIGNING_KEY: string }).TEST_SIGNING_KEY,
  ) as SigningKey;
}

/**
 * A fresh RS256 key the Worker does not trust, named with the trusted key's kid: only the
 * signature tells a token it signs from a genuine one.
 */
export async function strangerKey(): Promise<{ kid: string; privateJwk: JsonWebKey }> {
  const { privateJwk } = await newSigningKey(trustedKey().kid);
  return { kid: trustedKey().kid, privateJwk };
}

/** A real RS256 token signed with the trusted key, shaped like an Entra ID access token. */
export async function adminToken(
  tenant: string,
  roles: RoleName[],
  claims: Record<string, unknown> = {},
  issuerForm?: 'v1' | 'v2',
): Promise<string> {
  const key = trustedKey();
  return signToken(
    key.privateJwk,
    key.kid,
    entraClaims({
      tenant,
      roles,
      audience: AUDIENCE,
      claims,
      ...(issuerForm ? { issuerForm } : {}),
    }),
  );
}

/** A token with any header and payload and a chosen signature (for forgeries). */
export function rawToken(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  signature = '',
): string {
  const enc = (v: unknown) => base64url(new TextEncoder().encode(JSON.stringify(v)));
  return `${enc(header)}.${enc(payload)}.${signature}`;
}

export interface ApiCall {
  token?: string;
  body?: unknown;
  rawBody?: BodyInit;
  headers?: Record<string, string>;
}

export function apiRequest(method: string, path: string, call: ApiCall = {}): Request {
  const headers: Record<string, string> = { ...call.headers };
  if (call.token) headers.Authorization = `Bearer ${call.token}`;
  let body: BodyInit | undefined = call.rawBody;
  if (call.body !== undefined) {
    body = JSON.stringify(call.body);
    headers['Content-Type'] ??= 'application/json';
  }
  return new Request(`http://localhost/api${path}`, {
    method,
    headers,
    ...(body !== undefined ? { body } : {}),
  });
}

/** Call the settings API on the admin host, through the Worker's default export. */
export function api(method: string, path: string, call: ApiCall = {}): Promise<Response> {
  return send(apiRequest(method, path, call));
}

/**
 * A settings page's error: a page (not the API's JSON), in standards mode, with the status and
 * the code's words; `no-store`.
 */
export async function expectErrorPage(
  res: Response,
  status: number,
  code: string,
): Promise<string> {
  const { expect } = await import('vitest');
  expect(res.status, code).toBe(status);
  expect(res.headers.get('content-type')).toContain('text/html');
  expect(res.headers.get('cache-control')).toBe('no-store');
  const html = await res.text();
  expect(html.startsWith('<!doctype html>')).toBe(true);
  expect(html).toContain(`data-error="${code}"`);
  return html;
}

export async function expectError(res: Response, status: number, code: string): Promise<void> {
  const { expect } = await import('vitest');
  expect(res.status, `${code}`).toBe(status);
  expect(res.headers.get('content-type')).toContain('application/json');
  expect(res.headers.get('cache-control')).toBe('no-store');
  const body = (await res.json()) as { error: string; message: string };
  expect(body.error).toBe(code);
  expect(typeof body.message).toBe('string');
  expect(body.message.length).toBeGreaterThan(0);
}

/** A PUT of one product's redirection (a security admin's token unless one is given). */
export async function putProduct(
  tenant: string,
  product: string,
  body: unknown,
  token?: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  return api('PUT', `/tenants/${tenant}/redirection/${product}`, {
    token: token ?? (await adminToken(tenant, ['security-admin'])),
    body,
    headers,
  });
}

/** Every audit entry through the API, following its cursor (pages of `pageSize`). */
export async function auditAll(
  tenant: string,
  token: string,
  query = '',
  pageSize = 7,
): Promise<Record<string, unknown>[]> {
  const { expect } = await import('vitest');
  const entries: Record<string, unknown>[] = [];
  let cursor: string | null = null;
  do {
    const res = await api(
      'GET',
      `/tenants/${tenant}/redirection/audit?limit=${pageSize}${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      { token },
    );
    expect(res.status).toBe(200);
    const page = (await res.json()) as {
      entries: Record<string, unknown>[];
      cursor: string | null;
    };
    entries.push(...page.entries);
    cursor = page.cursor;
  } while (cursor !== null);
  return entries;
}
