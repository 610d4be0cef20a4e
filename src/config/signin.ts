import type { JWTVerifyGetKey } from 'jose';
import { createLocalJWKSet, createRemoteJWKSet } from 'jose';
import { PRODUCT_IDS, type ProductId } from '../catalogue/types';

/**
 * Configuration of the sign-in callback's id_token check, parsed once per isolate with the rest
 * of the configuration (config/index.ts).
 */
export interface SignInConfig {
  /** Entra ID's signing keys: inline SIGNIN_JWKS, else the key set at SIGNIN_JWKS_URL. */
  keys: JWTVerifyGetKey;
  /**
   * The legacy portals' client ids per product; a product without an entry skips the audience
   * check, one whose entry was malformed has an empty list and verifies nothing (fail closed).
   */
  audiences: ReadonlyMap<ProductId, readonly string[]>;
}

/** Entra ID's common key set: every tenant's tokens are signed with these keys. */
export const DEFAULT_SIGNIN_JWKS_URL =
  'https://login.microsoftonline.com/common/discovery/v2.0/keys';
// An unknown `kid` refetches the remote key set at most this often (Entra rotates keys rarely).
const JWKS_REFETCH_COOLDOWN_MS = 30_000;
const JWKS_CACHE_MAX_AGE_MS = 24 * 60 * 60 * 1000;

/** A key set that has no keys: every token fails, none passes by mistake. */
const NO_KEYS: JWTVerifyGetKey = createLocalJWKSet({ keys: [] });

export function parseSignInConfig(
  env: { SIGNIN_JWKS?: string; SIGNIN_JWKS_URL?: string; SIGNIN_AUDIENCES?: string },
  problems: string[],
): SignInConfig {
  return {
    keys: keySet(env.SIGNIN_JWKS, env.SIGNIN_JWKS_URL, problems),
    audiences: audiences(env.SIGNIN_AUDIENCES, problems),
  };
}

function keySet(
  inline: string | undefined,
  url: string | undefined,
  problems: string[],
): JWTVerifyGetKey {
  if (inline !== undefined && inline.trim() !== '') {
    try {
      const jwks = JSON.parse(inline) as { keys?: unknown };
      if (!Array.isArray(jwks.keys)) throw new Error('no keys');
      return createLocalJWKSet(jwks as { keys: [] });
    } catch {
      problems.push('SIGNIN_JWKS is not a JSON Web Key Set: no sign-in verifies');
      return NO_KEYS;
    }
  }
  const raw = url?.trim() || DEFAULT_SIGNIN_JWKS_URL;
  let parsed: URL;
  try {
    parsed = new URL(raw);
    if (parsed.protocol !== 'https:') throw new Error('not https');
  } catch {
    problems.push('SIGNIN_JWKS_URL is not an https URL: no sign-in verifies');
    return NO_KEYS;
  }
  // Nothing is fetched until the first sign-in; the key set caches per isolate.
  return createRemoteJWKSet(parsed, {
    cooldownDuration: JWKS_REFETCH_COOLDOWN_MS,
    cacheMaxAge: JWKS_CACHE_MAX_AGE_MS,
  });
}

function audiences(
  raw: string | undefined,
  problems: string[],
): ReadonlyMap<ProductId, readonly string[]> {
  const map = new Map<ProductId, readonly string[]>();
  if (raw === undefined || raw.trim() === '') return map;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = null;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    problems.push(
      'SIGNIN_AUDIENCES must be a JSON object keyed by product id: no sign-in verifies',
    );
    for (const id of PRODUCT_IDS) map.set(id, []);
    return map;
  }
  const record = parsed as Record<string, unknown>;
  for (const id of PRODUCT_IDS) {
    if (!Object.hasOwn(record, id)) continue;
    const value = record[id];
    const list = typeof value === 'string' ? [value] : value;
    if (Array.isArray(list) && list.length > 0 && list.every((v) => typeof v === 'string' && v)) {
      map.set(id, list as string[]);
    } else {
      problems.push(
        `SIGNIN_AUDIENCES.${id} must be a client id or a list of them: no ${id} sign-in verifies`,
      );
      map.set(id, []);
    }
  }
  for (const key of Object.keys(record))
    if (!(PRODUCT_IDS as readonly string[]).includes(key))
      problems.push(`SIGNIN_AUDIENCES.${key} is not a product: ignored`);
  return map;
}
