import { asTenantId } from '../core/tenant';
import { ENTRA_JWKS_URL } from '../lib/entra';
import type { Env } from './env';
import { httpUrl, json, LOOPBACK } from './parse';

/** Where token signing keys come from. `invalid`: AUTH_JWKS is set but unusable (503s, logged once). */
export type KeySource =
  | { kind: 'inline'; jwks: { keys: JsonWebKey[] } }
  | { kind: 'remote'; url: URL }
  | { kind: 'invalid' };

export interface AuthConfig {
  /** The `aud` every token must carry (AUTH_AUDIENCE); empty refuses every token. */
  audience: string;
  keys: KeySource;
  /** The dev sign-in's key: set only when DEV_AUTH is "true" and DEV_SIGNING_KEY parses. */
  devKey: { kid: string; privateJwk: JsonWebKey } | null;
  /** The tenant the dev sign-in offers (DEV_TENANT), or `null` for an empty field. */
  devTenant: string | null;
  /** OpenID Connect sign-in for the settings page, when AUTH_CLIENT_ID and AUTH_AUTHORITY are set. */
  oidc: { clientId: string; clientSecret: string | null; authorize: URL; token: URL } | null;
}

/** The settings side's sign-in: who may call the API and open the pages. */
export function parseAuth(
  env: Env,
  adminHosts: ReadonlySet<string>,
  problems: string[],
): AuthConfig {
  const audience = (env.AUTH_AUDIENCE ?? '').trim();
  if (audience === '') problems.push('AUTH_AUDIENCE is not set: every token is refused');
  return {
    audience,
    keys: parseKeySource(env, problems),
    devKey: parseDevKey(env, adminHosts, problems),
    devTenant: asTenantId(env.DEV_TENANT?.trim()),
    oidc: parseOidc(env, problems),
  };
}

function parseKeySource(env: Env, problems: string[]): KeySource {
  const inline = env.AUTH_JWKS?.trim();
  if (inline) {
    const parsed = json(inline);
    const keys = (parsed as { keys?: unknown } | null)?.keys;
    if (Array.isArray(keys) && keys.every((k) => typeof k === 'object' && k !== null))
      return { kind: 'inline', jwks: { keys: keys as JsonWebKey[] } };
    problems.push('AUTH_JWKS is not a JSON key set ({"keys": [...]}): sign-in answers 503');
    return { kind: 'invalid' };
  }
  const url = env.AUTH_JWKS_URL?.trim()
    ? httpUrl(env.AUTH_JWKS_URL, 'AUTH_JWKS_URL', problems, false)
    : null;
  return { kind: 'remote', url: url ?? new URL(ENTRA_JWKS_URL) };
}

/**
 * The dev sign-in's key. It lets anyone pick any tenant and role, so it is refused (and said
 * once) unless every admin host is this machine's own loopback name.
 */
function parseDevKey(
  env: Env,
  adminHosts: ReadonlySet<string>,
  problems: string[],
): AuthConfig['devKey'] {
  const flag = (env.DEV_AUTH ?? '').trim();
  if (flag !== '' && flag !== 'true' && flag !== 'false')
    problems.push('DEV_AUTH must be "true" or "false": dev sign-in is off');
  if (flag !== 'true') return null;
  const exposed = [...adminHosts].filter((host) => !LOOPBACK.has(host));
  if (exposed.length > 0) {
    problems.push(
      `DEV_AUTH is refused: ADMIN_HOSTS names ${exposed.join(', ')}, not only loopback hosts; dev sign-in is off`,
    );
    return null;
  }
  const key = json(env.DEV_SIGNING_KEY ?? '') as { kid?: unknown; privateJwk?: unknown } | null;
  if (typeof key?.kid === 'string' && typeof key.privateJwk === 'object' && key.privateJwk)
    return { kid: key.kid, privateJwk: key.privateJwk as JsonWebKey };
  problems.push(
    'DEV_AUTH is "true" but DEV_SIGNING_KEY is not {"kid", "privateJwk"}: dev sign-in is off',
  );
  return null;
}

function parseOidc(env: Env, problems: string[]): AuthConfig['oidc'] {
  const clientId = env.AUTH_CLIENT_ID?.trim();
  const rawAuthority = env.AUTH_AUTHORITY?.trim();
  if (!clientId && !rawAuthority) return null;
  if (!clientId || !rawAuthority) {
    problems.push('AUTH_CLIENT_ID and AUTH_AUTHORITY go together: sign-in with Microsoft is off');
    return null;
  }
  const authority = httpUrl(rawAuthority, 'AUTH_AUTHORITY', problems, false);
  if (authority === null) return null;
  // https://login.microsoftonline.com/organizations/v2.0 -> .../organizations/oauth2/v2.0/...
  const base = authority.href.replace(/\/v2\.0\/?$/, '').replace(/\/$/, '');
  return {
    clientId,
    clientSecret: env.AUTH_CLIENT_SECRET || null,
    authorize: new URL(`${base}/oauth2/v2.0/authorize`),
    token: new URL(`${base}/oauth2/v2.0/token`),
  };
}
