/**
 * The hash page's hop. A hash-routed portal's route (`/#/alerts/...`) never reaches a server, so
 * the edge answers its root with a page whose script sends the route back as `?hash=`. That
 * second request is same-origin and carries the legacy session cookie, so on its own it would be
 * decided `session-sticky` and a new tab would never move. The page therefore carries a marker:
 * a random value in a short-lived, host-only, HttpOnly cookie and the same value in the
 * continuation's query. Only a request with both, fresh, is the continuation; the edge clears
 * the cookie as it answers it, so the marker works once, and a link carrying the value is
 * nothing without the cookie only the edge can set.
 */

export const HOP_COOKIE = 'portal_redirect_hop';
export const HOP_PARAM = 'pr_hop';
/** The page's script runs at once; a minute covers a slow device, not a later visit. */
export const HOP_MAX_AGE_SECONDS = 60;

const HOP_VALUE = /^(\d{13})\.[A-Za-z0-9_-]{22,64}$/;

/** True when the query's marker matches the cookie's and the cookie is fresh. */
export function isHopContinuation(
  cookie: string | undefined,
  param: string | null,
  now: number,
): boolean {
  if (cookie === undefined || param === null || cookie !== param) return false;
  const issued = HOP_VALUE.exec(cookie)?.[1];
  if (issued === undefined) return false;
  const age = now - Number(issued);
  return age >= -5_000 && age <= HOP_MAX_AGE_SECONDS * 1000;
}
