/**
 * The deep link remembered across a sign-in: when the legacy portal sends a navigation to Entra
 * ID, the edge remembers what it asked for (in the signed trip cookie, `minted.ts`); at the
 * sign-in callback it sends the browser to the unified page of that link, not the unified home.
 */
import { HOP_PARAM } from './minted';
import { withoutParamAnyCase } from './query';

/**
 * Longest link kept. Browsers keep at least 4096 bytes per cookie (RFC 6265 6.1), and the legacy
 * portals' own cookies share the request header: a longer link is not remembered.
 */
export const MAX_RETURN_LENGTH = 1024;

/**
 * A path on this host, checked as a browser would read a redirect to it: one leading `/`, never
 * `//` or `/\` (which browsers resolve to another host), printable ASCII only, no fragment.
 */
const SAME_HOST_PATH = /^\/(?![/\\])[\x21-\x22\x24-\x5b\x5d-\x7e]*$/;

export interface RememberedRoute {
  path: string;
  query: string;
}

/**
 * The link a navigation asked for, to remember for its sign-in: its path and query without the
 * hash page's marker, or `null` when it is not a same-host path or is too long.
 */
export function routeToRemember(path: string, query: string): RememberedRoute | null {
  const kept = withoutParamAnyCase(query, HOP_PARAM);
  const target = kept === '' ? path : `${path}?${kept}`;
  if (target.length > MAX_RETURN_LENGTH || !SAME_HOST_PATH.test(target)) return null;
  return { path, query: kept };
}

/** A remembered link read back (`path?query`), or `null` for anything that is not one. */
export function rememberedRoute(value: string): RememberedRoute | null {
  if (value.length > MAX_RETURN_LENGTH || !SAME_HOST_PATH.test(value)) return null;
  const q = value.indexOf('?');
  return q === -1
    ? { path: value, query: '' }
    : { path: value.slice(0, q), query: value.slice(q + 1) };
}

/** The route as one string, `path?query`. */
export function routeText(route: RememberedRoute): string {
  return route.query === '' ? route.path : `${route.path}?${route.query}`;
}
