/**
 * The deep link remembered across a sign-in: a browser that reaches a legacy page without a known
 * tenant is passed to the legacy portal, which sends it to Entra ID to sign in; at the sign-in
 * callback the edge sends it to the unified page of what it asked for, not the unified home.
 */

/** Cookie holding the path and query a navigation asked for (host-only, one legacy host). */
export const RETURN_COOKIE = 'portal_redirect_return';
/** About the time an Entra ID sign-in takes, with room for MFA. */
export const RETURN_COOKIE_MAX_AGE_SECONDS = 10 * 60;
/**
 * Longest value kept (encoded). Browsers keep at least 4096 bytes per cookie (RFC 6265 6.1), and
 * the legacy portals' own cookies share the request header: a longer link is not remembered.
 */
export const MAX_RETURN_LENGTH = 1024;

/**
 * A path on this host, checked as a browser would read a redirect to it: one leading `/`, never
 * `//` or `/\` (which browsers resolve to another host), printable ASCII only, no fragment.
 */
const SAME_HOST_PATH = /^\/(?![/\\])[\x21-\x22\x24-\x5b\x5d-\x7e]*$/;

/** The cookie value remembering `path?query`, or `null` when it is not a same-host path or too long. */
export function returnCookieValue(path: string, query: string): string | null {
  const target = query === '' ? path : `${path}?${query}`;
  if (target.length > MAX_RETURN_LENGTH || !SAME_HOST_PATH.test(target)) return null;
  const value = encodeURIComponent(target);
  return value.length <= MAX_RETURN_LENGTH ? value : null;
}

/**
 * The remembered route from the cookie as the request carried it (the cookie parser has already
 * percent-decoded it), or `null` for anything that is not a same-host path within bounds.
 */
export function rememberedRoute(value: string | undefined): { path: string; query: string } | null {
  if (value === undefined || value.length > MAX_RETURN_LENGTH || !SAME_HOST_PATH.test(value))
    return null;
  const q = value.indexOf('?');
  return q === -1
    ? { path: value, query: '' }
    : { path: value.slice(0, q), query: value.slice(q + 1) };
}
