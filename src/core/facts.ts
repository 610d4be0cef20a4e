import { type MintedCookies, NO_MINTED } from './minted';

/** Everything the decision needs to know about one request. Built by `edge/facts.ts`. */
export interface RequestFacts {
  method: string;
  host: string;
  /** Raw path, as sent. */
  path: string;
  /** Raw query string without the leading `?` (empty when none). */
  query: string;
  secFetchMode: string | null;
  secFetchSite: string | null;
  /** Any `Sec-Fetch-*` header present. */
  hasSecFetch: boolean;
  /** Used only without Fetch Metadata (`hasSecFetch` false); the edge reads it only then. */
  accept: string | null;
  /** Every cookie by name, as sent (the products' session cookies, the banner's). */
  cookies: Readonly<Record<string, string>>;
  /** The edge's own cookies, verified (`minted.ts`): only what the edge minted counts. */
  minted: MintedCookies;
  /**
   * Set only for a POST to the product's sign-in callback whose form carries an `id_token`:
   * the token's tenant when it verified (signature, issuer, lifetime, audience; never the
   * consumer tenant), else `null`, and the digest of its `nonce` claim (as `SignInTrip`'s).
   */
  signIn: { tenant: string | null; nonceHash: string | null } | null;
  /** Epoch milliseconds. */
  now: number;
}

/**
 * Facts for a top-level GET navigation of `url` typed or opened from a bookmark (no session
 * unless a cookie says so): what the settings API's explain answers for, and what tests and the
 * bench decide on.
 */
export function navigationFacts(
  url: URL,
  cookies: Record<string, string> = {},
  now = Date.now(),
): RequestFacts {
  return {
    method: 'GET',
    host: url.host,
    path: url.pathname,
    query: url.search.slice(1),
    secFetchMode: 'navigate',
    secFetchSite: 'none',
    hasSecFetch: true,
    accept: 'text/html',
    cookies,
    minted: NO_MINTED,
    signIn: null,
    now,
  };
}

/** A GET/HEAD top-level navigation, by Fetch Metadata or, without it, by `Accept`. */
export function isNavigation(
  facts: Pick<RequestFacts, 'method' | 'secFetchMode' | 'hasSecFetch' | 'accept'>,
): boolean {
  if (facts.method !== 'GET' && facts.method !== 'HEAD') return false;
  if (facts.hasSecFetch) return facts.secFetchMode?.toLowerCase() === 'navigate';
  return (facts.accept ?? '').toLowerCase().includes('text/html');
}
