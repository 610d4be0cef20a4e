import type { JWTVerifyGetKey } from 'jose';
import { createLocalJWKSet, createRemoteJWKSet } from 'jose';
import { PRODUCT_IDS, type ProductId } from '../catalogue/types';
import {
  ENTRA_AUTHORITIES,
  ENTRA_JWKS_URL,
  JWKS_CACHE_MAX_AGE_MS,
  JWKS_REFETCH_COOLDOWN_MS,
} from '../lib/entra';
import { isHttpsOrLoopback, json } from './parse';

/**
 * Configuration of the sign-in callback's id_token check, parsed once per isolate with the rest
 * of the configuration (config/index.ts).
 */
export interface SignInConfig {
  /** Entra ID's signing keys: inline SIGNIN_JWKS, else the key set at SIGNIN_JWKS_URL. */
  keys: JWTVerifyGetKey;
  /**
   * The legacy portals' client ids per product, the id_token's required `aud`. A product without
   * a usable entry has an empty list and verifies nothing (fail closed): any Entra token of the
   * tenant (an admin-API token, a Graph token) must never pass for a legacy sign-in.
   */
  audiences: ReadonlyMap<ProductId, readonly string[]>;
  /**
   * Origins of Entra ID's authorize endpoint (SIGNIN_AUTHORITIES): a legacy portal's redirect to
   * one of these is the start of a sign-in the edge remembers (`edge/signin-trip.ts`).
   */
  authorities: ReadonlySet<string>;
}

/** A key set that has no keys: every token fails, none passes by mistake. */
const NO_KEYS: JWTVerifyGetKey = createLocalJWKSet({ keys: [] });

export function parseSignInConfig(
  env: {
    SIGNIN_JWKS?: string;
    SIGNIN_JWKS_URL?: string;
    SIGNIN_AUDIENCES?: string;
    SIGNIN_AUTHORITIES?: string;
  },
  problems: string[],
): SignInConfig {
  return {
    keys: keySet(env.SIGNIN_JWKS, env.SIGNIN_JWKS_URL, problems),
    audiences: audiences(env.SIGNIN_AUDIENCES, problems),
    authorities: authorities(env.SIGNIN_AUTHORITIES, problems),
  };
}

function authorities(raw: string | undefined, problems: string[]): ReadonlySet<string> {
  const entries = raw?.trim() ? raw.split(',') : ENTRA_AUTHORITIES;
  const origins = new Set<string>();
  for (const entry of entries) {
    const text = entry.trim();
    const url = URL.canParse(text) ? new URL(text) : null;
    // https, or http on loopback (a local stand-in for Entra ID).
    if (url !== null && isHttpsOrLoopback(url)) origins.add(url.origin);
    else problems.push(`SIGNIN_AUTHORITIES entry "${text}" is not an https origin: ignored`);
  }
  return origins;
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
  const raw = url?.trim() || ENTRA_JWKS_URL;
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
  const map = new Map<ProductId, readonly string[]>(PRODUCT_IDS.map((id) => [id, []]));
  if (raw === undefined || raw.trim() === '') {
    problems.push(
      "SIGNIN_AUDIENCES is not set: no sign-in decides until it names each product's client id",
    );
    return map;
  }
  const parsed = json(raw);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    problems.push('SIGNIN_AUDIENCES must be a JSON object keyed by product id: no sign-in decides');
    return map;
  }
  const record = parsed as Record<string, unknown>;
  for (const id of PRODUCT_IDS) {
    if (!Object.hasOwn(record, id)) {
      problems.push(`SIGNIN_AUDIENCES has no client id for ${id}: no ${id} sign-in decides`);
      continue;
    }
    const value = record[id];
    const list = typeof value === 'string' ? [value] : value;
    if (Array.isArray(list) && list.length > 0 && list.every((v) => typeof v === 'string' && v)) {
      map.set(id, list as string[]);
    } else {
      problems.push(
        `SIGNIN_AUDIENCES.${id} must be a client id or a list of them: no ${id} sign-in decides`,
      );
    }
  }
  for (const key of Object.keys(record))
    if (!(PRODUCT_IDS as readonly string[]).includes(key))
      problems.push(`SIGNIN_AUDIENCES.${key} is not a product: ignored`);
  return map;
}
