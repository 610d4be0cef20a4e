import { PRODUCTS } from '../catalogue/products';
import type { Product } from '../catalogue/types';
import type { CoreContext } from '../core/decide';
import { DeepLinkMap } from '../core/deeplinks';
import { HostIndex, normaliseHost } from '../core/hosts';
import { type AuthConfig, parseAuth } from './auth';
import { parseCookieSecrets } from './cookie-secrets';
import type { Env } from './env';
import { configuredProducts } from './products';
import { httpUrl, int, onOff, parseOrigin, positiveInt } from './parse';
import { parseSignInConfig, type SignInConfig } from './signin';

export type { AuthConfig, KeySource } from './auth';
export type { Env } from './env';

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
  /** Bound on each KV read of the first-use import (KV_READ_TIMEOUT_MS). */
  kvReadTimeoutMs: number;
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
  const products = configuredProducts(PRODUCTS, env, problems);
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
  const kvReadTimeoutMs = int(env.KV_READ_TIMEOUT_MS, 1000, 'KV_READ_TIMEOUT_MS', problems);
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
    kvReadTimeoutMs,
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
      kvReadTimeoutMs,
    },
    reportFlushMs: int(env.REPORT_FLUSH_SECONDS, 10, 'REPORT_FLUSH_SECONDS', problems) * 1000,
    reportCounting: onOff(env.REPORT_COUNTING, true, 'REPORT_COUNTING', problems),
    problems,
  };
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
