/** Longest `Location` we send; a longer one keeps its path and drops the legacy query. */
export const MAX_LOCATION_LENGTH = 8_192;

/** Query parameters the edge consumes or sets itself, never copied from the legacy URL. */
const OWN_PARAMS = new Set(['tid', 'hash']);

/**
 * Build a redirect target on the unified origin. Only URL setters on a copy of the fixed origin
 * are used (never concatenation, never `new URL(untrusted, base)`), so no input can change the
 * scheme, host or userinfo; the result is checked once more before it is returned.
 */
export function buildLocation(
  origin: URL,
  path: string,
  legacyQuery: string | null,
  tenant: string | null,
): string {
  const withQuery = build(origin, path, legacyQuery, tenant);
  if (withQuery !== null && withQuery.length <= MAX_LOCATION_LENGTH) return withQuery;
  return build(origin, path, null, tenant) ?? (build(origin, '/', null, tenant) as string);
}

function build(origin: URL, path: string, legacyQuery: string | null, tenant: string | null): string | null {
  const url = new URL(origin.href);
  url.pathname = path;
  const pairs = (legacyQuery ?? '').split('&').filter((pair) => pair.length > 0 && !OWN_PARAMS.has(paramName(pair)));
  if (tenant !== null) pairs.push(`tid=${tenant}`);
  url.search = pairs.length > 0 ? `?${pairs.join('&')}` : '';
  const href = url.href;
  const safe =
    url.origin === origin.origin &&
    url.username === '' &&
    url.password === '' &&
    !/[\u0000-\u0020\u007f]/.test(href);
  return safe ? href : null;
}

function paramName(pair: string): string {
  const eq = pair.indexOf('=');
  const raw = eq === -1 ? pair : pair.slice(0, eq);
  if (!/[%+]/.test(raw)) return raw.toLowerCase();
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' ')).toLowerCase();
  } catch {
    return raw.toLowerCase();
  }
}
