import type { MappedPath } from './deeplinks';
import { isPlainPath, isPlainSearch } from './plain';
import { QueryPairs } from './query';

/** Longest `Location` we send; a longer one keeps its path and drops the legacy query. */
export const MAX_LOCATION_LENGTH = 8_192;

/** Query parameters the edge consumes or sets itself, never copied from the legacy URL. */
const OWN_PARAMS = new Set(['tid', 'hash', 'pr_hop']);
/** The longest of OWN_PARAMS' names. */
const OWN_PARAM_MAX_LENGTH = 6;

/**
 * Build a redirect target on the unified origin, never with `new URL(untrusted, base)`. Path and
 * query made only of characters the URL setters keep (`plain.ts`: the path starts with `/`, so it
 * cannot reach into the authority) are joined after the fixed origin; anything else goes through
 * URL setters on a copy of the origin and the result is checked once more. test/core.test.ts
 * proves the join equal to the setters' checked result over arbitrary input.
 */
export function buildLocation(
  origin: URL,
  path: string,
  legacyQuery: string | null,
  tenant: string | null,
  fixedQuery: string | null = null,
): string {
  const query =
    fixedQuery === null
      ? legacyQuery
      : legacyQuery === null || legacyQuery === ''
        ? fixedQuery
        : `${fixedQuery}&${legacyQuery}`;
  const withQuery = build(origin, path, query, tenant);
  if (withQuery !== null && withQuery.length <= MAX_LOCATION_LENGTH) return withQuery;
  return (
    build(origin, path, fixedQuery, tenant) ??
    build(origin, path, null, tenant) ??
    (build(origin, '/', null, tenant) as string)
  );
}

/**
 * The Location of a route that landed: the mapped path, the legacy query where the row keeps it,
 * the row's fixed query, and `tid`. The redirect, the sign-in's 303 and the map of legacy pages
 * (links.ts) all build it here.
 */
export function landedLocation(
  unified: URL,
  mapped: MappedPath,
  legacyQuery: string | null,
  tenant: string | null,
): string {
  return buildLocation(
    unified,
    mapped.path,
    mapped.keepQuery ? legacyQuery : null,
    tenant,
    mapped.fixedQuery,
  );
}

/**
 * True when dropping our own parameters and empty pairs would keep every pair of `query`, so it
 * can be used as it is. Names with `%` or `+` need decoding first: not decided here (false).
 */
export function keptAsItIs(query: string): boolean {
  if (query.includes('%') || query.includes('+')) return false;
  for (const pair = new QueryPairs(query); pair.next(); )
    if (pair.end === pair.start || isOwnParam(query, pair)) return false;
  return true;
}

/** The pair names one of our own parameters (OWN_PARAMS), in any case. */
function isOwnParam(query: string, pair: QueryPairs): boolean {
  return (
    pair.nameEnd - pair.start <= OWN_PARAM_MAX_LENGTH &&
    OWN_PARAMS.has(query.slice(pair.start, pair.nameEnd).toLowerCase())
  );
}

let lastOrigin: URL | null = null;
let lastOriginText = '';
/** `origin.origin`, read once per origin object (a URL getter is not free). */
export function originText(origin: URL): string {
  if (origin !== lastOrigin) {
    lastOrigin = origin;
    lastOriginText = origin.origin;
  }
  return lastOriginText;
}

function build(
  origin: URL,
  path: string,
  legacyQuery: string | null,
  tenant: string | null,
): string | null {
  const search = searchOf(legacyQuery, tenant);
  if (isPlainPath(path) && isPlainSearch(search)) return originText(origin) + path + search;
  return viaSetters(origin, path, search);
}

/** The search string of a Location: the legacy query minus our own parameters, then `tid`. */
function searchOf(legacyQuery: string | null, tenant: string | null): string {
  const kept = legacyQuery === null || legacyQuery === '' ? '' : withoutOwnParams(legacyQuery);
  if (tenant === null) return kept === '' ? '' : `?${kept}`;
  return kept === '' ? `?tid=${tenant}` : `?${kept}&tid=${tenant}`;
}

/**
 * The query's pairs in order, without our own parameters and empty pairs. A query with no `%`
 * or `+` has names that need no decoding: its pairs are read in place, and a query that keeps
 * every pair comes back as it is.
 */
function withoutOwnParams(query: string): string {
  if (query.includes('%') || query.includes('+'))
    return query
      .split('&')
      .filter((pair) => pair.length > 0 && !OWN_PARAMS.has(paramName(pair)))
      .join('&');
  let kept = '';
  let dropped = false;
  for (const pair = new QueryPairs(query); pair.next(); ) {
    if (pair.end === pair.start || isOwnParam(query, pair)) dropped = true;
    else {
      const text = query.slice(pair.start, pair.end);
      kept = kept === '' ? text : `${kept}&${text}`;
    }
  }
  return dropped ? kept : query;
}

/** The reference construction: URL setters on a copy of the origin, checked. */
export function viaSetters(origin: URL, path: string, search: string): string | null {
  const url = new URL(origin.href);
  url.pathname = path;
  url.search = search;
  const href = url.href;
  const safe =
    url.origin === origin.origin &&
    url.username === '' &&
    url.password === '' &&
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this rejects.
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
