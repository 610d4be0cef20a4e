import type { Product } from '../catalogue/types';
import type { DeepLinkMap, MappedPath } from './deeplinks';
import { isUnderAny } from './deeplinks';
import { queryParam } from './query';

/** The legacy route a request names, and where it lands. */
export interface Route {
  path: string;
  query: string | null;
  /** The SPA root of a hash-routed product, with no route given in the query. */
  spaRoot: boolean;
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
      };
    }
    const atRoot = path === '/' || path === '';
    return { path, query, spaRoot: atRoot };
  }
  return { path, query, spaRoot: false };
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
  if (isUnderAny(route.path, product.outOfScope)) return null;
  const mapped = map ? map.map(route.path) : HOME;
  return mapped.matched || product.unlisted === 'home' ? mapped : null;
}
