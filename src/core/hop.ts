/**
 * The hash page's hop. A hash-routed portal's route (`/#/alerts/...`) never reaches a server, so
 * the edge answers its root with a page whose script sends the route back as `?hash=`. That
 * second request is same-origin and carries the legacy session cookie, so on its own it would be
 * decided `session-sticky` and a new tab would never move. The page therefore sets a marker: the
 * signed hop cookie (`minted.ts`), whose id the continuation also carries as `?pr_hop=`.
 *
 * Only the continuation counts: a hash-routed product's root, with a route in `?hash=`, whose
 * `pr_hop` is the id of a hop cookie the edge minted for this host less than a minute ago. The
 * edge clears the cookie as it answers the next navigation, so the marker works once; a link
 * carrying an id does nothing without the cookie, and a cookie planted from a sibling host or
 * forged does not verify. `pr_hop` is never copied into a Location (`location.ts`).
 */
import { HOP_PARAM, type MintedCookies } from './minted';
import { queryParam } from './query';
import type { Route } from './route';

/** The hop marker's id: 128 random bits, base64url. */
export const HOP_ID = /^[A-Za-z0-9_-]{22}$/;

/**
 * True when this request is the hash page's own continuation (see above): `route` is the
 * request's (`routeOf`), cut from `?hash=` at a hash-routed root when `fromHash`.
 */
export function isHopContinuation(
  route: Route,
  path: string,
  query: string,
  minted: MintedCookies,
): boolean {
  if (!route.fromHash || minted.hop === null || (path !== '/' && path !== '')) return false;
  return queryParam(query, HOP_PARAM) === minted.hop;
}
