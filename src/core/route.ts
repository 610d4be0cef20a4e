import type { Product } from '../catalogue/types';
import type { DeepLinkMap, MappedPath } from './deeplinks';
import { isUnderAny, isUnderAnySegments } from './deeplinks';
import { queryParam } from './query';

/** The legacy route a request names, and where it lands. */
export interface Route {
  path: string;
  query: string | null;
  /** The SPA root of a hash-routed product, with no route given in the query. */
  spaRoot: boolean;
  /** The route was cut from the query's `?hash=` (not the request's own path). */
  fromHash: boolean;
}

/**
 * The legacy route a request names. Hash-routed products also accept the `?hash=/route` form
 * (a legacy link form, and what the hash page sends back); the server never sees `#/route`.
 */
export function routeOf(product: Product, path: string, query: string): Route {
  if (product.hashRouted) {
    const hash = queryParam(query, 'hash');
    if (hash !== null) {
      const value = hash.replace(/^#/, '');
      const q = value.indexOf('?');
      return {
        path: q === -1 ? value : value.slice(0, q),
        query: q === -1 ? null : value.slice(q + 1),
        spaRoot: false,
        fromHash: true,
      };
    }
    const atRoot = path === '/' || path === '';
    return { path, query, spaRoot: atRoot, fromHash: false };
  }
  return { path, query, spaRoot: false, fromHash: false };
}

const HOME: MappedPath = { path: '/', fixedQuery: null, keepQuery: false, matched: false };

/**
 * Where a route lands: its mapped unified page, or `null` when it stays on the legacy portal
 * (out of scope, or a path no row knows of a product that moved only its listed pages).
 */
export function landing(
  product: Product,
  map: DeepLinkMap | undefined,
  route: Route,
): MappedPath | null {
  if (map === undefined || route.fromHash || route.path.length > MAX_REMEMBERED_PATH)
    return landingOf(product, map, route.path);
  let known = landings.get(product);
  if (known?.map !== map) {
    known = { map, byPath: new Map() };
    landings.set(product, known);
  }
  const seen = known.byPath.get(route.path);
  if (seen !== undefined) return seen;
  const found = landingOf(product, map, route.path);
  if (known.byPath.size < MAX_LANDINGS) known.byPath.set(route.path, found);
  return found;
}

/** `landing` for a path, without the memo: for callers off the redirect's path. */
export function landingOf(
  product: Product,
  map: DeepLinkMap | undefined,
  path: string,
): MappedPath | null {
  if (isUnderAny(path, outOfScopePrefixes(product))) return null;
  const mapped = map ? map.map(path) : HOME;
  return mapped.matched || product.unlisted === 'home' ? mapped : null;
}

/**
 * `landingOf` for a path already split into segments that need no checks (plain characters, no
 * escapes, none a dot segment): the same prefixes, rows and rule for unlisted paths.
 */
export function landingOfSegments(
  product: Product,
  map: DeepLinkMap,
  segments: string[],
): MappedPath | null {
  if (isUnderAnySegments(segments, outOfScopePrefixes(product))) return null;
  const mapped = map.mapSafeSegments(segments);
  return mapped.matched || product.unlisted === 'home' ? mapped : null;
}

const prefixes = new WeakMap<Product, readonly string[]>();

/** The product's out-of-scope path prefixes, listed once per product. */
export function outOfScopePrefixes(product: Product): readonly string[] {
  let list = prefixes.get(product);
  if (list === undefined) {
    list = product.outOfScope.map((o) => o.prefix);
    prefixes.set(product, list);
  }
  return list;
}

/**
 * Paths this isolate has landed, per product and table: a landing depends on nothing else, and
 * most redirects repeat a few paths, so one lookup replaces the prefix checks, the segment checks
 * and the row walk. Keyed by request text in a Map (own keys only), and bounded: the first
 * MAX_LANDINGS paths of at most MAX_REMEMBERED_PATH characters per product. Once full it only
 * answers: a stream of distinct paths (links to alerts, each its own) costs a lookup each, not
 * an insert and, every MAX_LANDINGS, a clear.
 * A route cut from `?hash=` is never a key: it is a slice of the query, and would keep the
 * whole query alive.
 */
const MAX_REMEMBERED_PATH = 256;
const MAX_LANDINGS = 1024;
const landings = new WeakMap<
  Product,
  { map: DeepLinkMap; byPath: Map<string, MappedPath | null> }
>();
