/**
 * The map of legacy pages: where a legacy page lands on the unified portal, or `null` when it
 * stays on the legacy portal. It is the redirect's own answer, built of the same steps as
 * `decide` builds a redirect (`routeOf`, the landing, `buildLocation`); the banner's link,
 * `explain` and the SIEM rewriter ask it, and the SIEM rewriter's fast path
 * (`siem/link-shapes.ts`) is tested against it. test/one-map.test.ts runs every deep-link row,
 * out-of-scope prefix and documented link through every face.
 */
import type { Product, ProductId } from '../catalogue/types';
import type { CoreContext } from './decide';
import type { DeepLinkMap } from './deeplinks';
import { landedLocation } from './location';
import { landingOf, type Route, routeOf } from './route';

/** Where a route lands: the Location a redirect of it carries, or `null` when it stays. */
function routeTarget(
  unified: URL,
  product: Product,
  map: DeepLinkMap | undefined,
  route: Route,
  tenant: string | null,
): string | null {
  const mapped = landingOf(product, map, route.path);
  return mapped === null ? null : landedLocation(unified, mapped, route.query, tenant);
}

/**
 * The query of the hash page's continuation (edge/respond.ts `hashPage`): the page's own query,
 * then `hash=` and the fragment as `encodeURIComponent` writes it. `fragment` is without its `#`,
 * as the URL API gives it (percent-encoded, so it encodes).
 */
export function hashPageQuery(query: string, fragment: string): string {
  const hash = `hash=${encodeURIComponent(fragment)}`;
  return query === '' ? hash : `${query}&${hash}`;
}

/**
 * Where a page of `product` lands, from what a browser holds: the path and query the server sees
 * (raw, as in `RequestFacts`) and the fragment it does not. At a hash-routed product's root a
 * fragment is a route, and the browser's trip is the hash page, then its continuation carrying
 * the route as `?hash=`: the continuation's target. Elsewhere the fragment decides nothing.
 */
export function mapPage(
  ctx: CoreContext,
  product: Product,
  path: string,
  query: string,
  fragment: string,
  tenant: string | null,
): string | null {
  const unified = ctx.unified;
  if (unified === null) return null;
  const map = ctx.deepLinks.get(product.id);
  let route = routeOf(product, path, query);
  if (route.spaRoot && fragment !== '') {
    // The root must move for the browser to reach the hash page; then its continuation decides.
    if (landingOf(product, map, route.path) === null) return null;
    route = routeOf(product, path, hashPageQuery(query, fragment));
  }
  return routeTarget(unified, product, map, route, tenant);
}

/**
 * Where a link to a legacy page of `product` lands (`mapPage`), read by the URL API as a browser
 * reads it; `null` when it stays, and for anything that is not a link to one of the product's
 * legacy browser hosts.
 */
export function mapLegacyLink(
  ctx: CoreContext,
  value: string,
  product: ProductId,
  tenant: string | null,
): string | null {
  if (ctx.unified === null || !URL.canParse(value)) return null;
  const url = new URL(value);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  const match = ctx.hosts.match(url.host);
  if (match === null || match.product.id !== product || match.host.kind !== 'browser') return null;
  return mapPage(ctx, match.product, url.pathname, url.search.slice(1), url.hash.slice(1), tenant);
}
