import { PRODUCTS } from '../catalogue/products';
import type { Product, ProductId } from '../catalogue/types';
import type { CoreContext } from '../core/decide';
import { DeepLinkMap } from '../core/deeplinks';
import { HostIndex, normaliseHost } from '../core/hosts';
import { asTenantId } from '../core/tenant';
import { parseCookieSecrets } from './cookie-secrets';
import { parseSignInConfig, type SignInConfig } from './signin';

/**
 * The Worker's environment: the generated `Cloudflare.Env` (`npm run types`, from wrangler.jsonc)
 * plus the optional variables and secrets wrangler.jsonc does not set, declared here once.
 * This module is the only one that reads configuration from it (see docs/configuration.md).
 */
/*
 * `npm run types` also declares the two secrets `npm start` keeps in .dev.vars, DEV_SIGNING_KEY
 * (the dev sign-in's key) and COOKIE_SIGNING_SECRET (the edge's cookies), as strings; a deployed
 * Worker may lack either, so they are read as possibly unset all the same.
 */
declare global {
  namespace Cloudflare {
    interface Env {
      PASSTHROUGH_ORIGIN?: string;
      SESSION_COOKIES?: string;
      LOCKED_PRODUCTS?: string;
      KV_CACHE_TTL_SECONDS?: string;
      TOGGLE_CACHE_TTL_SECONDS?: string;
      KV_READ_TIMEOUT_MS?: string;
      ORIGIN_TIMEOUT_MS?: string;
      AUTH_JWKS?: string;
      AUTH_JWKS_URL?: string;
      /** The tenant the dev sign-in offers (npm start's demo tenant). */
      DEV_TENANT?: string;
      /** Secret (`wrangler secret put`), for a confidential OIDC client. */
      AUTH_CLIENT_SECRET?: string;
      /** Entra ID's keys for the legacy portals' id_tokens (default: the common endpoint's). */
      SIGNIN_JWKS_URL?: string;
      /** Inline JWKS instead of SIGNIN_JWKS_URL (local runs and tests). */
      SIGNIN_JWKS?: string;
      /** JSON `{ "<product>": "<client id>" | ["<client id>", ...] }`: the id_token's audience. */
      SIGNIN_AUDIENCES?: string;
      /** Comma-separated origins of Entra ID's authorize endpoint (default: the global cloud's). */
      SIGNIN_AUTHORITIES?: string;
      /** Secret: the signing secret before the current one, still accepted while rotating. */
      COOKIE_SIGNING_SECRET_PREVIOUS?: string;
      /** "on": the edge's cookies also over plain http (local runs only; default "off"). */
      EDGE_COOKIES_OVER_HTTP?: string;
      /** Days a settings audit row is kept (default 730: two years). */
      SETTINGS_AUDIT_RETENTION_DAYS?: string;
      /** Settings changes per tenant per minute, also the burst (default 60). */
      SETTINGS_WRITES_PER_MINUTE?: string;
      /** How often an isolate sends its migration-report counts, in seconds (default 10). */
      REPORT_FLUSH_SECONDS?: string;
      /** "off" stops the migration report's counting at the edge (default "on"). */
      REPORT_COUNTING?: string;
      /** How far ahead a scheduled change must be, in seconds (default 60). */
      SCHEDULE_MIN_LEAD_SECONDS?: string;
    }
  }
}
export type Env = Cloudflare.Env;

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

/** What the TenantSettings object enforces (it loads the same configuration in its isolate). */
export interface SettingsConfig {
  /** Audit rows older than this are deleted (on write, on import and by the alarm). */
  auditRetentionMs: number;
  /** Token bucket per tenant: this many changes at once, refilled at this many a minute. */
  writesPerMinute: number;
  /** A scheduled change must be at least this far ahead (SCHEDULE_MIN_LEAD_SECONDS). */
  scheduleMinLeadMs: number;
  /**
   * How long a change's answer waits for its KV write before saying `kvSynced: false` (the write
   * goes on; the alarm re-writes it if it failed).
   */
  kvWaitMs: number;
}

/** A change's answer waits this long for KV at most. */
export const KV_WAIT_MS = 2_000;

export interface Config {
  core: CoreContext;
  products: readonly Product[];
  adminHosts: ReadonlySet<string>;
  passthroughOrigin: URL | null;
  kvCacheTtlSeconds: number;
  toggleCacheTtlMs: number;
  kvReadTimeoutMs: number;
  originTimeoutMs: number;
  /** Where admins change the toggles: the banner's "configure" link. */
  settingsUrl: string;
  auth: AuthConfig;
  /** How the sign-in callback's id_token is verified, and where sign-ins start. */
  signIn: SignInConfig;
  /**
   * Secrets for the edge's own cookies, the signing one first (COOKIE_SIGNING_SECRET, then
   * COOKIE_SIGNING_SECRET_PREVIOUS); empty: the edge mints and trusts none.
   */
  cookieSecrets: readonly string[];
  /**
   * Whether the edge mints and trusts its cookies over plain http (EDGE_COOKIES_OVER_HTTP): only
   * for local runs. Over http a cookie has no `__Host-` prefix, so any sibling host could set it.
   */
  edgeCookiesOverHttp: boolean;
  settings: SettingsConfig;
  /** The migration report's counting: an isolate sends its counts at most this often. */
  reportFlushMs: number;
  /** Whether the edge counts decisions for the report (REPORT_COUNTING). */
  reportCounting: boolean;
  /** Problems found in the configuration, logged once; the Worker keeps serving. */
  problems: string[];
}

const DEFAULT_UNIFIED_ORIGIN = 'https://security.microsoft.com';
const DEFAULT_ADMIN_HOSTS = 'localhost,127.0.0.1';
const DEFAULT_SETTINGS_URL = 'http://127.0.0.1:8787/settings';
export const DEFAULT_JWKS_URL = 'https://login.microsoftonline.com/common/discovery/v2.0/keys';
// Cloudflare's smallest allowed KV cacheTtl is 30 s.
const MIN_KV_CACHE_TTL_SECONDS = 30;
const DAY_MS = 86_400_000;
export const DEFAULT_AUDIT_RETENTION_DAYS = 730;
export const DEFAULT_WRITES_PER_MINUTE = 60;
export const DEFAULT_SCHEDULE_MIN_LEAD_SECONDS = 60;

const cache = new WeakMap<object, Config>();

/**
 * The composition root: the parsed, validated configuration for an env object, built once per
 * isolate (and env object), its problems logged once. Everything else takes a `Config`.
 */
export function loadConfig(env: Env): Config {
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
  const adminHosts = new Set<string>();
  for (const raw of (env.ADMIN_HOSTS || DEFAULT_ADMIN_HOSTS).split(',')) {
    const host = normaliseHost(raw);
    if (host === null)
      problems.push(`ADMIN_HOSTS entry "${raw.trim()}" is not a host name: ignored`);
    else adminHosts.add(host);
  }
  const unified = parseUnifiedOrigin(
    env.UNIFIED_ORIGIN || DEFAULT_UNIFIED_ORIGIN,
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
    kvCacheTtlSeconds: Math.max(
      MIN_KV_CACHE_TTL_SECONDS,
      int(env.KV_CACHE_TTL_SECONDS, 30, 'KV_CACHE_TTL_SECONDS', problems),
    ),
    toggleCacheTtlMs:
      int(env.TOGGLE_CACHE_TTL_SECONDS, 20, 'TOGGLE_CACHE_TTL_SECONDS', problems) * 1000,
    kvReadTimeoutMs: int(env.KV_READ_TIMEOUT_MS, 1000, 'KV_READ_TIMEOUT_MS', problems),
    originTimeoutMs: int(env.ORIGIN_TIMEOUT_MS, 30_000, 'ORIGIN_TIMEOUT_MS', problems),
    settingsUrl:
      httpUrl(env.SETTINGS_URL, 'SETTINGS_URL', problems, true)?.href ?? DEFAULT_SETTINGS_URL,
    auth: parseAuth(env, adminHosts, problems),
    signIn: parseSignInConfig(env, problems),
    cookieSecrets: parseCookieSecrets(env, problems),
    edgeCookiesOverHttp: onOff(
      env.EDGE_COOKIES_OVER_HTTP,
      false,
      'EDGE_COOKIES_OVER_HTTP',
      problems,
    ),
    settings: {
      auditRetentionMs:
        positiveInt(
          env.SETTINGS_AUDIT_RETENTION_DAYS,
          DEFAULT_AUDIT_RETENTION_DAYS,
          'SETTINGS_AUDIT_RETENTION_DAYS',
          problems,
        ) * DAY_MS,
      writesPerMinute: positiveInt(
        env.SETTINGS_WRITES_PER_MINUTE,
        DEFAULT_WRITES_PER_MINUTE,
        'SETTINGS_WRITES_PER_MINUTE',
        problems,
      ),
      scheduleMinLeadMs:
        int(
          env.SCHEDULE_MIN_LEAD_SECONDS,
          DEFAULT_SCHEDULE_MIN_LEAD_SECONDS,
          'SCHEDULE_MIN_LEAD_SECONDS',
          problems,
        ) * 1000,
      kvWaitMs: KV_WAIT_MS,
    },
    reportFlushMs: int(env.REPORT_FLUSH_SECONDS, 10, 'REPORT_FLUSH_SECONDS', problems) * 1000,
    reportCounting: onOff(env.REPORT_COUNTING, true, 'REPORT_COUNTING', problems),
    problems,
  };
}

function parseAuth(env: Env, adminHosts: ReadonlySet<string>, problems: string[]): AuthConfig {
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
  return { kind: 'remote', url: url ?? new URL(DEFAULT_JWKS_URL) };
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

function json(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return null;
  }
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** An https URL (or http on loopback, for local development and tests), or `null` with the problem noted. */
function httpUrl(
  raw: string | undefined,
  name: string,
  problems: string[],
  anyHttp: boolean,
): URL | null {
  if (raw === undefined || raw.trim() === '') return null;
  const url = URL.canParse(raw.trim()) ? new URL(raw.trim()) : null;
  const ok =
    url !== null &&
    !url.username &&
    !url.password &&
    (url.protocol === 'https:' ||
      (url.protocol === 'http:' && (anyHttp || LOOPBACK.has(url.hostname))));
  if (ok) return url;
  problems.push(`${name} is not an https URL: ignored`);
  return null;
}

function int(raw: string | undefined, fallback: number, name: string, problems: string[]): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (Number.isInteger(n) && n >= 0) return n;
  problems.push(`${name} must be a whole number >= 0: using ${fallback}`);
  return fallback;
}

function positiveInt(
  raw: string | undefined,
  fallback: number,
  name: string,
  problems: string[],
): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (Number.isSafeInteger(n) && n > 0) return n;
  problems.push(`${name} must be a whole number > 0: using ${fallback}`);
  return fallback;
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

/** `on` / `off` (any case); unset is the default, anything else a problem and the default. */
function onOff(raw: string | undefined, fallback: boolean, name: string, problems: string[]) {
  if (raw === undefined || raw === '') return fallback;
  const value = raw.trim().toLowerCase();
  if (value === 'on') return true;
  if (value === 'off') return false;
  problems.push(`${name} must be "on" or "off"; using "${fallback ? 'on' : 'off'}"`);
  return fallback;
}
