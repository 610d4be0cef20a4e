import type { Product, ProductId } from '../catalogue/types';
import { phaseAt } from '../model/phases';
import type { ToggleValue } from '../model/toggle';
import type { DeepLinkMap, MappedPath } from './deeplinks';
import { type RequestFacts, isNavigation } from './facts';
import { isHopContinuation } from './hop';
import type { HostIndex, HostMatch } from './hosts';
import { buildLocation, landedLocation } from './location';
import { queryParamAnyCase } from './query';
import type { Reason } from './reasons';
import { landing, type Route, routeOf } from './route';
import { asTenantId } from './tenant';
import { type Lookup, toggleState } from './toggle-state';

export type { Lookup } from './toggle-state';

/** Results of the store reads that the decision asked for so far. */
export interface Lookups {
  hostTenant?: Lookup<string | null>;
  /** The tenant's own choice for the product, `null` when it never chose. */
  toggle?: Lookup<ToggleValue | null>;
  /**
   * Reads the caller can answer at once (an isolate's fresh cache), asked before a read is
   * requested: a request whose state is at hand is decided in one pass, not two.
   */
  known?: KnownReads;
}

/** Answers already at hand, or `undefined` when the read must be requested. */
export interface KnownReads {
  cachedHostTenant(hostname: string): Lookup<string | null> | undefined;
  cachedToggle(tenant: string, product: ProductId): Lookup<ToggleValue | null> | undefined;
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
  /** Remember this tenant in the tenant cookie (a verified sign-in this browser started). */
  setTenantCookie?: string;
  /** Clear the sign-in trip cookie (the sign-in used it). */
  clearTrip?: boolean;
  /** Clear the hash page's marker cookie (this navigation used it, or it is stale). */
  clearHop?: boolean;
  /** Clear the edge cookies that did not verify (`MintedCookies.rejected`). */
  clearRejected?: boolean;
  /**
   * The tenant is one the edge vouches for: its own signed tenant cookie names it, or a verified
   * sign-in this browser started did. Only then may request text (an unmapped path) reach the
   * tenant's report.
   */
  vouched?: boolean;
  /** Observe mode: where the request would have been redirected (it passes instead). */
  observedLocation?: string;
  /** The legacy route's path when no deep-link row knew it and the unified home was chosen. */
  unmappedPath?: string;
  /** The hash page's own continuation, decided as the navigation that produced the page. */
  hopContinuation?: boolean;
  /**
   * A route from `?hash=` that stays on the legacy portal (`path?query`): the portal's app reads
   * its route from the fragment, so the edge sends the browser to the root with this route there,
   * marked to pass once (`MintedCookies.stay`), rather than pass `?hash=` it cannot read.
   */
  restoreRoute?: string;
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
 * asked for, call again with it. It writes nothing: not the facts, not the reads, not a
 * decision or a landing shared with other requests. Steps follow the order documented in
 * README.md.
 */
export function decide(ctx: CoreContext, facts: RequestFacts, lookups: Lookups = {}): Step {
  const step = decideSteps(ctx, facts, lookups);
  if (step.kind !== 'decision') return step;
  const { minted } = facts;
  if (!minted.hopCarried && minted.rejected.length === 0) return step;
  // Only a navigation (or the sign-in's POST) uses or outlives the edge's cookies: a subresource
  // the hash page loads before its continuation must not clear the marker. Every step builds
  // its decision anew, so it is completed in place.
  if (!isNavigation(facts) && facts.signIn === null) return step;
  if (minted.hopCarried) step.decision.clearHop = true;
  if (minted.rejected.length > 0) step.decision.clearRejected = true;
  return step;
}

function decideSteps(ctx: CoreContext, facts: RequestFacts, lookups: Lookups): Step {
  const match = ctx.hosts.match(facts.host);
  if (match === null) return decided(pass('unknown-host', null, null));
  const { product } = match;
  if (match.host.kind === 'api') return decided(pass('api-host', product.id, null));

  // 2. Signing back in: the moment a new legacy session would start.
  if (facts.signIn !== null) return signingIn(ctx, match, facts, lookups);

  // `?tid=` decides this request only; it is never remembered.
  const queryTenant = asTenantId(queryParamAnyCase(facts.query, 'tid'));

  // 3. Only top-level browser navigations move; the legacy app's own requests never do.
  if (!isNavigation(facts)) return decided(pass('not-navigation', product.id, queryTenant));

  // 4. Pages that do not belong to the unified portal.
  const route = routeOf(product, facts.path, facts.query);
  const mapped = landing(product, ctx.deepLinks.get(product.id), route);
  if (mapped === null) {
    const stays = pass('out-of-scope', product.id, queryTenant);
    if (route.fromHash)
      stays.restoreRoute = route.query === null ? route.path : `${route.path}?${route.query}`;
    return decided(stays);
  }
  // The root the edge sent a staying route back to: the route in its fragment stays, once.
  if (route.spaRoot && facts.minted.stay)
    return decided({ ...pass('out-of-scope', product.id, queryTenant), hopContinuation: true });

  // 5. Never eject an active session; the hash page's own continuation is decided as the
  // navigation that produced the page was, which had passed this step.
  const hop = isHopContinuation(route, facts.path, facts.query, facts.minted);
  if (!hop && isSticky(product, facts))
    return decided(
      pass('session-sticky', product.id, stickyTenant(match, facts, queryTenant, lookups)),
    );

  // Locked products move everyone, whatever the tenant chose.
  const phase = phaseAt(product, facts.now);
  const locked = phase === 'locked';

  // 6. Which tenant: the link's own, the host's mapping (a tenant-specific host names one
  // tenant, whatever a browser remembers), then the one a verified sign-in remembered.
  let tenant = queryTenant;
  if (tenant === null && match.host.tenantSpecific && !locked) {
    const hostTenant = lookups.hostTenant ?? lookups.known?.cachedHostTenant(match.hostname);
    if (hostTenant === undefined) return { kind: 'need-host-tenant', hostname: match.hostname };
    if (hostTenant.ok) tenant = hostTenant.value;
    else if (hostTenant.lastSeen !== undefined) tenant = hostTenant.lastSeen;
    else return decided(pass('store-unavailable', product.id, null));
  }
  tenant ??= facts.minted.tenant;
  if (tenant === null && !locked) return decided(pass('unknown-tenant', product.id, null));
  const vouched = tenant !== null && tenant === facts.minted.tenant;

  // 7. The tenant's toggle.
  let reason: Reason = 'locked';
  let observe = false;
  if (!locked) {
    const toggle = lookups.toggle ?? lookups.known?.cachedToggle(tenant as string, product.id);
    if (toggle === undefined)
      return { kind: 'need-toggle', tenant: tenant as string, product: product.id };
    const state = toggleState(product, toggle, facts.now, phase);
    if (!state.on && !state.observe)
      return decided(vouch(pass(state.reason, product.id, tenant), vouched));
    reason = state.reason;
    observe = state.observe;
  }
  if (ctx.unified === null) return decided(vouch(pass('loop-guard', product.id, tenant), vouched));
  const redirect = vouch(
    redirectTo(ctx.unified, match, route, mapped, tenant, reason, hop),
    vouched,
  );
  return decided(observe ? observed(redirect) : redirect);
}

/** Marks a decision (built anew for this request) as made for the edge's own tenant cookie. */
function vouch(decision: Decision, vouched: boolean): Decision {
  if (vouched) decision.vouched = true;
  return decision;
}

/**
 * Observe mode: the redirect that on would have made, passed instead, with the cookies the
 * decision sets either way (a verified sign-in's tenant, the used deep link).
 */
function observed(redirect: Decision): Decision {
  const { action: _a, reason: _r, status: _s, location, hashPage: _h, ...rest } = redirect;
  return {
    ...rest,
    action: 'pass',
    reason: 'observe-would-redirect',
    ...(location !== undefined ? { observedLocation: location } : {}),
  };
}

/**
 * The sign-in callback. It decides only for a sign-in this browser started: the token verified
 * and its nonce is the one of the trip the edge saw the legacy portal begin in this browser
 * (`minted.ts`). Anything else (a form posted from another site, a token replayed into another
 * browser, a trip already used) sets nothing and redirects nowhere. A bound sign-in remembers its
 * tenant and uses the trip; with redirection on, the 303 goes to the trip's deep link (mapped as
 * a browser redirect would be), else to the unified home.
 */
function signingIn(
  ctx: CoreContext,
  match: HostMatch,
  facts: RequestFacts,
  lookups: Lookups,
): Step {
  const { product } = match;
  const { tenant, nonceHash } = facts.signIn as NonNullable<RequestFacts['signIn']>;
  if (tenant === null) return decided(pass('sign-in-unverified', product.id, null));
  const trip = facts.minted.trip;
  if (trip === null || nonceHash === null || trip.nonceHash !== nonceHash)
    return decided(pass('sign-in-unbound', product.id, null));
  const toggle = lookups.toggle ?? lookups.known?.cachedToggle(tenant, product.id);
  if (toggle === undefined) return { kind: 'need-toggle', tenant, product: product.id };
  const cookies = {
    ...(facts.minted.tenant !== tenant ? { setTenantCookie: tenant } : {}),
    clearTrip: true,
    vouched: true,
  };
  const state = toggleState(product, toggle, facts.now);
  if ((!state.on && !state.observe) || ctx.unified === null) {
    const reason = ctx.unified === null ? 'loop-guard' : state.reason;
    return decided({ ...pass(reason, product.id, tenant), ...cookies });
  }
  const route = trip.route && routeOf(product, trip.route.path, trip.route.query);
  const mapped = route && landing(product, ctx.deepLinks.get(product.id), route);
  // The page the sign-in was for stays on the legacy portal: the portal completes its sign-in
  // and shows it. A page that stays is never sent to the unified portal.
  if (route !== null && mapped === null)
    return decided({ ...pass('out-of-scope', product.id, tenant), ...cookies });
  const location = mapped
    ? landedLocation(ctx.unified, mapped, route?.query ?? null, tenant)
    : buildLocation(ctx.unified, '/', null, tenant);
  const redirect: Decision = {
    action: 'redirect',
    reason: 'signed-in',
    product: product.id,
    tenant,
    status: 303,
    location,
    ...cookies,
  };
  return decided(state.observe ? observed(redirect) : redirect);
}

/**
 * The tenant a sticky session's decision names, for the report and the banner (it decides
 * nothing): the link's, else the host's mapping where this isolate holds it, else the edge's
 * own tenant cookie (never on a tenant-specific host, whose mapping outranks it).
 */
function stickyTenant(
  match: HostMatch,
  facts: RequestFacts,
  queryTenant: string | null,
  lookups: Lookups,
): string | null {
  if (queryTenant !== null) return queryTenant;
  if (!match.host.tenantSpecific) return facts.minted.tenant;
  const known = lookups.known?.cachedHostTenant(match.hostname);
  return known?.ok === true ? known.value : null;
}

function pass(reason: Reason, product: ProductId | null, tenant: string | null): Decision {
  return { action: 'pass', reason, product, tenant };
}

function isSticky(product: Product, facts: RequestFacts): boolean {
  if (!hasSessionCookie(product, facts.cookies)) return false;
  if (product.stickiness === 'session-or-new-tab') {
    const site = facts.secFetchSite?.toLowerCase();
    if (site === 'none' || site === 'cross-site') return false;
  }
  return true;
}

function hasSessionCookie(product: Product, cookies: RequestFacts['cookies']): boolean {
  for (const name of product.sessionCookies) if ((cookies[name] ?? '') !== '') return true;
  return false;
}

function redirectTo(
  unified: URL,
  match: HostMatch,
  route: Route,
  mapped: MappedPath,
  tenant: string | null,
  reason: Reason,
  hopContinuation: boolean,
): Decision {
  const location = landedLocation(unified, mapped, route.query, tenant);
  // A new decision, built here (the redirect path makes no copies).
  const redirect: Decision = {
    action: 'redirect',
    reason,
    product: match.product.id,
    tenant,
    status: 302,
    location,
  };
  if (hopContinuation) redirect.hopContinuation = true;
  if (route.spaRoot) redirect.hashPage = true;
  // A route cut from `?hash=` is text any link can carry: never a path for the report.
  else if (!mapped.matched && !route.fromHash) redirect.unmappedPath = route.path;
  return redirect;
}
