import type { Product, ProductId } from '../catalogue/types';
import type { DeepLinkMap } from './deeplinks';
import { isUnderAny } from './deeplinks';
import type { HostIndex, HostMatch } from './hosts';
import { buildLocation } from './location';
import type { Reason } from './reasons';
import { asTenantId } from './tenant';

/** The cookie in which the edge remembers a browser's tenant (host-only, per legacy host). */
export const TENANT_COOKIE = 'portal_redirect_tid';

/** Everything the decision needs to know about one request. Built by `edge/facts.ts`. */
export interface RequestFacts {
  method: string;
  host: string;
  /** Raw path, as sent. */
  path: string;
  /** Raw query string without the leading `?` (empty when none). */
  query: string;
  secFetchMode: string | null;
  secFetchSite: string | null;
  /** Any `Sec-Fetch-*` header present. */
  hasSecFetch: boolean;
  accept: string | null;
  cookies: Readonly<Record<string, string>>;
  /** Set only for a POST to the product's sign-in callback whose form carries an `id_token`. */
  signIn: { tenant: string | null } | null;
  /** Epoch milliseconds. */
  now: number;
}

/**
 * Facts for a top-level GET navigation of `url` typed or opened from a bookmark (no session
 * unless a cookie says so): what the settings API's explain answers for, and what tests and the
 * bench decide on.
 */
export function navigationFacts(
  url: URL,
  cookies: Record<string, string> = {},
  now = Date.now(),
): RequestFacts {
  return {
    method: 'GET',
    host: url.host,
    path: url.pathname,
    query: url.search.slice(1),
    secFetchMode: 'navigate',
    secFetchSite: 'none',
    hasSecFetch: true,
    accept: 'text/html',
    cookies,
    signIn: null,
    now,
  };
}

/** A read from the store: its value, or the failure with the last value this isolate saw. */
export type Lookup<T> = { ok: true; value: T } | { ok: false; lastSeen: T | undefined };

/** Results of the store reads that the decision asked for so far. */
export interface Lookups {
  hostTenant?: Lookup<string | null>;
  /** The tenant's own choice for the product, `null` when it never chose. */
  toggle?: Lookup<boolean | null>;
}

export interface Decision {
  action: 'redirect' | 'pass';
  reason: Reason;
  product: ProductId | null;
  tenant: string | null;
  /** Redirects: 302 for GET/HEAD, 303 after the sign-in POST. */
  status?: 302 | 303;
  /** Redirects: absolute URL on the unified origin. */
  location?: string;
  /** Redirects of a hash-routed SPA root: serve the page that maps `location.hash`. */
  hashPage?: boolean;
  /** Remember this tenant in the tenant cookie (it was revealed by this request). */
  setTenantCookie?: string;
}

export type Step =
  | { kind: 'decision'; decision: Decision }
  | { kind: 'need-host-tenant'; hostname: string }
  | { kind: 'need-toggle'; tenant: string; product: ProductId };

/** The catalogue and configuration, compiled once per isolate and configuration. */
export interface CoreContext {
  hosts: HostIndex;
  deepLinks: ReadonlyMap<ProductId, DeepLinkMap>;
  /** `null` when UNIFIED_ORIGIN is unusable (not https, or a legacy host): nothing redirects. */
  unified: URL | null;
}

const decided = (decision: Decision): Step => ({ kind: 'decision', decision });

/**
 * The edge decision, as a pure function: request facts and the store reads made so far in, a
 * decision with its reason out, or the one store read still needed. Callers loop: read what is
 * asked for, call again with it. Steps follow the order documented in README.md.
 */
export function decide(ctx: CoreContext, facts: RequestFacts, lookups: Lookups = {}): Step {
  const match = ctx.hosts.match(facts.host);
  if (match === null) return decided(pass('unknown-host', null, null));
  const { product } = match;
  if (match.host.kind === 'api') return decided(pass('api-host', product.id, null));
  const queryTenant = asTenantId(queryParam(facts.query, 'tid'));
  const cookieTenant = asTenantId(facts.cookies[TENANT_COOKIE]);
  const remember = (tenant: string | null) =>
    tenant !== null && tenant !== cookieTenant ? { setTenantCookie: tenant } : {};

  // 2. Signing back in: the moment a new legacy session would start.
  if (facts.signIn !== null) {
    const tenant = facts.signIn.tenant;
    if (tenant === null) return decided(pass('unknown-tenant', product.id, null));
    if (lookups.toggle === undefined) return { kind: 'need-toggle', tenant, product: product.id };
    const state = toggleState(product, lookups.toggle, facts.now);
    if (!state.on || ctx.unified === null) {
      return decided({
        ...pass(ctx.unified === null ? 'loop-guard' : state.reason, product.id, tenant),
        ...remember(tenant),
      });
    }
    const location = buildLocation(ctx.unified, '/', null, tenant);
    return decided({
      action: 'redirect',
      reason: 'signed-in',
      product: product.id,
      tenant,
      status: 303,
      location,
      ...remember(tenant),
    });
  }

  // 3. Only top-level browser navigations move; the legacy app's own requests never do.
  if (!isNavigation(facts))
    return decided({
      ...pass('not-navigation', product.id, queryTenant),
      ...remember(queryTenant),
    });

  // 4. Pages that do not belong to the unified portal.
  const route = routeOf(product, facts);
  if (isUnderAny(route.path, product.outOfScope)) {
    return decided({ ...pass('out-of-scope', product.id, queryTenant), ...remember(queryTenant) });
  }

  // 5. Never eject an active session.
  if (isSticky(product, facts))
    return decided({
      ...pass('session-sticky', product.id, queryTenant),
      ...remember(queryTenant),
    });

  // Locked products move everyone, whatever the tenant chose.
  const locked = isLocked(product, facts.now);

  // 6. Which tenant.
  let tenant = queryTenant ?? cookieTenant;
  if (tenant === null && match.host.tenantSpecific && !locked) {
    if (lookups.hostTenant === undefined)
      return { kind: 'need-host-tenant', hostname: match.hostname };
    tenant = lookups.hostTenant.ok
      ? lookups.hostTenant.value
      : (lookups.hostTenant.lastSeen ?? null);
    if (tenant === null && !lookups.hostTenant.ok)
      return decided(pass('store-unavailable', product.id, null));
  }
  if (tenant === null && !locked) return decided(pass('unknown-tenant', product.id, null));

  // 7. The tenant's toggle.
  let reason: Reason = 'locked';
  if (!locked) {
    if (lookups.toggle === undefined)
      return { kind: 'need-toggle', tenant: tenant as string, product: product.id };
    const state = toggleState(product, lookups.toggle, facts.now);
    if (!state.on)
      return decided({ ...pass(state.reason, product.id, tenant), ...remember(tenant) });
    reason = state.reason;
  }
  if (ctx.unified === null)
    return decided({ ...pass('loop-guard', product.id, tenant), ...remember(tenant) });
  const redirect = redirectTo(ctx, match, route, tenant, reason);
  return decided({ ...redirect, ...remember(tenant) });
}

/**
 * The first value of a query parameter, decoded as URLSearchParams would. Without `%` or `+`
 * nothing needs decoding, so the pairs are read in place; otherwise URLSearchParams answers.
 */
export function queryParam(query: string, name: string): string | null {
  if (!query.includes(name)) return null;
  if (query.includes('%') || query.includes('+')) return new URLSearchParams(query).get(name);
  for (let start = 0; start <= query.length; ) {
    let end = query.indexOf('&', start);
    if (end === -1) end = query.length;
    const eq = query.indexOf('=', start);
    const nameEnd = eq === -1 || eq > end ? end : eq;
    if (nameEnd - start === name.length && query.startsWith(name, start))
      return nameEnd === end ? '' : query.slice(nameEnd + 1, end);
    start = end + 1;
  }
  return null;
}

function pass(reason: Reason, product: ProductId | null, tenant: string | null): Decision {
  return { action: 'pass', reason, product, tenant };
}

/** A GET/HEAD top-level navigation, by Fetch Metadata or, without it, by `Accept`. */
export function isNavigation(
  facts: Pick<RequestFacts, 'method' | 'secFetchMode' | 'hasSecFetch' | 'accept'>,
): boolean {
  if (facts.method !== 'GET' && facts.method !== 'HEAD') return false;
  if (facts.hasSecFetch) return facts.secFetchMode?.toLowerCase() === 'navigate';
  return (facts.accept ?? '').toLowerCase().includes('text/html');
}

function isSticky(product: Product, facts: RequestFacts): boolean {
  const hasSession = product.sessionCookies.some((name) => (facts.cookies[name] ?? '') !== '');
  if (!hasSession) return false;
  if (product.stickiness === 'session-or-new-tab') {
    const site = facts.secFetchSite?.toLowerCase();
    if (site === 'none' || site === 'cross-site') return false;
  }
  return true;
}

export function isLocked(product: Product, now: number): boolean {
  return product.locked !== null && now >= Date.parse(product.locked.effectiveFrom);
}

/** The product's state for a tenant, from its own choice, the default, or the fallback. */
export function toggleState(
  product: Product,
  lookup: Lookup<boolean | null>,
  now: number,
): { on: boolean; reason: Reason } {
  if (isLocked(product, now)) return { on: true, reason: 'locked' };
  if (!lookup.ok)
    return { on: lookup.lastSeen ?? product.defaultEnabled, reason: 'store-unavailable' };
  if (lookup.value === null)
    return {
      on: product.defaultEnabled,
      reason: product.defaultEnabled ? 'default-on' : 'default-off',
    };
  return { on: lookup.value, reason: lookup.value ? 'toggle-on' : 'toggle-off' };
}

interface Route {
  path: string;
  query: string | null;
  /** The SPA root of a hash-routed product, with no route given in the query. */
  spaRoot: boolean;
}

/**
 * The legacy route a request names. Hash-routed products also accept the `?hash=/route` form
 * (a legacy link form, and what the hash page sends back); the server never sees `#/route`.
 */
function routeOf(product: Product, facts: RequestFacts): Route {
  if (product.hashRouted) {
    const hash = queryParam(facts.query, 'hash');
    if (hash !== null) {
      const value = hash.replace(/^#/, '');
      const q = value.indexOf('?');
      return {
        path: q === -1 ? value : value.slice(0, q),
        query: q === -1 ? null : value.slice(q + 1),
        spaRoot: false,
      };
    }
    const atRoot = facts.path === '/' || facts.path === '';
    return { path: facts.path, query: facts.query, spaRoot: atRoot };
  }
  return { path: facts.path, query: facts.query, spaRoot: false };
}

function redirectTo(
  ctx: CoreContext,
  match: HostMatch,
  route: Route,
  tenant: string | null,
  reason: Reason,
): Decision {
  const unified = ctx.unified as URL;
  const map = ctx.deepLinks.get(match.product.id);
  const mapped = map ? map.map(route.path) : { path: '/', keepQuery: false, matched: false };
  const location = buildLocation(
    unified,
    mapped.path,
    mapped.keepQuery ? route.query : null,
    tenant,
  );
  return {
    action: 'redirect',
    reason,
    product: match.product.id,
    tenant,
    status: 302,
    location,
    ...(route.spaRoot ? { hashPage: true } : {}),
  };
}
