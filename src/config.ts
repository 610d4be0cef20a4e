import { PRODUCTS } from './catalogue/products';
import type { Product, ProductId } from './catalogue/types';
import type { CoreContext } from './core/decide';
import { DeepLinkMap } from './core/deeplinks';
import { HostIndex, normaliseHost } from './core/hosts';
import { parseSignInConfig, type SignInConfig } from './edge/signin-config';

/** Bindings and vars of the Worker (see wrangler.jsonc and README "Configuration"). */
export interface Env {
  TOGGLES: KVNamespace;
  TENANT_SETTINGS: DurableObjectNamespace<import('./objects/tenant-settings').TenantSettings>;
  UNIFIED_ORIGIN?: string;
  ADMIN_HOSTS?: string;
  PASSTHROUGH_ORIGIN?: string;
  SESSION_COOKIES?: string;
  LOCKED_PRODUCTS?: string;
  KV_CACHE_TTL_SECONDS?: string;
  TOGGLE_CACHE_TTL_SECONDS?: string;
  KV_READ_TIMEOUT_MS?: string;
  ORIGIN_TIMEOUT_MS?: string;
  AUTH_AUDIENCE?: string;
  AUTH_JWKS?: string;
  AUTH_JWKS_URL?: string;
  DEV_AUTH?: string;
  /** Private dev signing key (JSON `{kid, privateJwk}`), set by `npm start` only, for DEV_AUTH. */
  DEV_SIGNING_KEY?: string;
  AUTH_CLIENT_ID?: string;
  AUTH_AUTHORITY?: string;
  AUTH_CLIENT_SECRET?: string;
  /** Where admins change the toggles: the banner's "configure" link. */
  SETTINGS_URL?: string;
  // Sign-in callback verification (src/edge/signin-config.ts).
  /** Entra ID's keys for the legacy portals' id_tokens (default: the common endpoint's). */
  SIGNIN_JWKS_URL?: string;
  /** Inline JWKS instead of SIGNIN_JWKS_URL (local runs and tests). */
  SIGNIN_JWKS?: string;
  /** JSON `{ "<product>": "<client id>" | ["<client id>", ...] }`: the id_token's audience. */
  SIGNIN_AUDIENCES?: string;
}

export interface Config {
  core: CoreContext;
  products: readonly Product[];
  adminHosts: ReadonlySet<string>;
  passthroughOrigin: URL | null;
  kvCacheTtlSeconds: number;
  toggleCacheTtlMs: number;
  kvReadTimeoutMs: number;
  originTimeoutMs: number;
  /** How the sign-in callback's id_token is verified. */
  signIn: SignInConfig;
  /** Problems found in the configuration, logged once; the Worker keeps serving. */
  problems: string[];
}

const DEFAULT_UNIFIED_ORIGIN = 'https://security.microsoft.com';
const DEFAULT_ADMIN_HOSTS = 'localhost,127.0.0.1';
// Cloudflare's smallest allowed KV cacheTtl is 30 s.
const MIN_KV_CACHE_TTL_SECONDS = 30;

const cache = new WeakMap<object, Config>();

/** The parsed configuration for an env object, built once per isolate and env. */
export function configFor(env: Env): Config {
  let config = cache.get(env);
  if (!config) {
    config = parseConfig(env);
    cache.set(env, config);
    for (const problem of config.problems) console.warn(`portal-redirect config: ${problem}`);
  }
  return config;
}

export function parseConfig(env: Env): Config {
  const problems: string[] = [];
  const products = withLocks(
    withSessionCookies(PRODUCTS, env.SESSION_COOKIES, problems),
    env.LOCKED_PRODUCTS,
    problems,
  );
  const hosts = new HostIndex(products);
  const adminHosts = new Set(
    (env.ADMIN_HOSTS ?? DEFAULT_ADMIN_HOSTS)
      .split(',')
      .map((h) => normaliseHost(h))
      .filter((h): h is string => h !== null),
  );
  const unified = parseUnifiedOrigin(
    env.UNIFIED_ORIGIN ?? DEFAULT_UNIFIED_ORIGIN,
    hosts,
    adminHosts,
    problems,
  );
  const deepLinks = new Map(products.map((p) => [p.id, new DeepLinkMap(p.deepLinks)] as const));
  return {
    core: { hosts, deepLinks, unified },
    products,
    adminHosts,
    passthroughOrigin: parseOrigin(env.PASSTHROUGH_ORIGIN, 'PASSTHROUGH_ORIGIN', problems),
    kvCacheTtlSeconds: Math.max(MIN_KV_CACHE_TTL_SECONDS, int(env.KV_CACHE_TTL_SECONDS, 30)),
    toggleCacheTtlMs: int(env.TOGGLE_CACHE_TTL_SECONDS, 20) * 1000,
    kvReadTimeoutMs: int(env.KV_READ_TIMEOUT_MS, 1000),
    originTimeoutMs: int(env.ORIGIN_TIMEOUT_MS, 30_000),
    signIn: parseSignInConfig(env, problems),
    problems,
  };
}

function int(raw: string | undefined, fallback: number): number {
  const n = Number(raw);
  return raw !== undefined && raw !== '' && Number.isInteger(n) && n >= 0 ? n : fallback;
}

/** The unified origin, or `null` (nothing redirects) when it would loop or is not https. */
function parseUnifiedOrigin(
  raw: string,
  hosts: HostIndex,
  admin: Set<string>,
  problems: string[],
): URL | null {
  const url = parseOrigin(raw, 'UNIFIED_ORIGIN', problems);
  if (url === null) return null;
  if (url.protocol !== 'https:') {
    problems.push('UNIFIED_ORIGIN must be https; redirection is off (reason loop-guard)');
    return null;
  }
  if (hosts.match(url.host) !== null || admin.has(url.hostname)) {
    problems.push(
      'UNIFIED_ORIGIN is a legacy or admin host; redirection is off (reason loop-guard)',
    );
    return null;
  }
  return url;
}

function parseOrigin(raw: string | undefined, name: string, problems: string[]): URL | null {
  if (raw === undefined || raw.trim() === '') return null;
  try {
    const url = new URL(raw.trim());
    if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password)
      throw new Error();
    return new URL(url.origin);
  } catch {
    problems.push(`${name} is not an http(s) origin: ignored`);
    return null;
  }
}

/** A var holding a JSON object keyed by product id, or `null` (with the problem noted). */
function productMap(
  name: string,
  raw: string | undefined,
  problems: string[],
): Record<string, unknown> | null {
  if (raw === undefined || raw.trim() === '') return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    problems.push(`${name} is not JSON: ignored`);
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    problems.push(`${name} must be a JSON object keyed by product id: ignored`);
    return null;
  }
  return parsed as Record<string, unknown>;
}

/** Apply LOCKED_PRODUCTS (JSON: product id -> ISO-8601 instant the lock takes effect). */
function withLocks(
  products: readonly Product[],
  raw: string | undefined,
  problems: string[],
): readonly Product[] {
  const locks = productMap('LOCKED_PRODUCTS', raw, problems);
  if (locks === null) return products;
  return products.map((p) => {
    const from = locks[p.id];
    if (from === undefined) return p;
    if (typeof from !== 'string' || Number.isNaN(Date.parse(from))) {
      problems.push(`LOCKED_PRODUCTS.${p.id} must be an ISO-8601 date: ignored`);
      return p;
    }
    return { ...p, locked: { effectiveFrom: from } };
  });
}

/** Apply SESSION_COOKIES (JSON: product id -> cookie names) over the catalogue's defaults. */
function withSessionCookies(
  products: readonly Product[],
  raw: string | undefined,
  problems: string[],
): readonly Product[] {
  const overrides = productMap('SESSION_COOKIES', raw, problems);
  if (overrides === null) return products;
  return products.map((p) => {
    const names = overrides[p.id as ProductId];
    if (names === undefined) return p;
    if (!Array.isArray(names) || !names.every((n) => typeof n === 'string' && n.length > 0)) {
      problems.push(`SESSION_COOKIES.${p.id} must be an array of cookie names: ignored`);
      return p;
    }
    return { ...p, sessionCookies: names as string[] };
  });
}
