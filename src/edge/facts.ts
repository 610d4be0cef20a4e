import { parse as parseCookies } from 'hono/utils/cookie';
import type { Product } from '../catalogue/types';
import type { RequestFacts } from '../core/facts';
import { type MintedCookies, NO_MINTED } from '../core/minted';
import type { SignInConfig } from '../config/signin';
import { type CookieSigner, carriesEdgeCookie, nonceDigest, untrusted } from './signed-cookies';
import { verifiedSignIn } from './signin';

/** Largest sign-in form we read to find the id_token; a larger body streams through untouched. */
export const MAX_SIGN_IN_BODY_BYTES = 64 * 1024;

/**
 * Turn a Request into decision facts, without reading its body (a sign-in callback's form is
 * read by `readSignInForm`). `host` is `url.host`, read once by the caller.
 */
export function requestFacts(request: Request, url: URL, host: string, now: number): RequestFacts {
  const headers = request.headers;
  const secFetchMode = headers.get('sec-fetch-mode');
  const secFetchSite = headers.get('sec-fetch-site');
  const hasSecFetch =
    secFetchMode !== null ||
    secFetchSite !== null ||
    headers.has('sec-fetch-dest') ||
    headers.has('sec-fetch-user');
  return {
    method: request.method.toUpperCase(),
    host,
    path: url.pathname,
    query: url.search.slice(1),
    secFetchMode,
    secFetchSite,
    hasSecFetch,
    // Only a browser without Fetch Metadata is judged by Accept (`isNavigation`): each header
    // read is a call into the runtime.
    accept: hasSecFetch ? null : headers.get('accept'),
    cookies: readCookies(headers.get('cookie')),
    // Filled in by `mintedCookies` before the decision.
    minted: NO_MINTED,
    signIn: null,
    now,
  };
}

/**
 * The edge's own cookies the request carries, verified (`core/minted.ts`). Most requests carry
 * none and get an answer at once, without reading the URL's scheme. Over plain http none is
 * trusted unless `overHttp` (local runs): there a sibling host could have set any of them.
 */
export function mintedCookies(
  facts: RequestFacts,
  url: URL,
  signer: CookieSigner | null,
  overHttp: boolean,
): MintedCookies | Promise<MintedCookies> {
  if (!carriesEdgeCookie(facts.cookies)) return NO_MINTED;
  const secure = url.protocol === 'https:';
  if (signer === null || (!secure && !overHttp)) return untrusted(facts.cookies, secure);
  return signer.read(facts.cookies, secure, facts.host, facts.now);
}

/** A POST to the product's sign-in callback with a form small enough to read for its id_token. */
export function isSignInPost(
  request: Request,
  facts: Pick<RequestFacts, 'method' | 'path'>,
  product: Product | undefined,
): boolean {
  return (
    product !== undefined &&
    facts.method === 'POST' &&
    facts.path.toLowerCase() === product.callbackPath &&
    isSmallForm(request.headers)
  );
}

/**
 * Read a sign-in callback's form (`isSignInPost`) for its id_token, whose tenant counts only
 * once the token verifies: it goes into `facts.signIn`. The bytes read are the body to forward
 * on pass-through.
 */
export async function readSignInForm(
  request: Request,
  facts: RequestFacts,
  product: Product,
  signIn: SignInConfig,
): Promise<ArrayBuffer> {
  const bytes = await request.arrayBuffer();
  const idToken = new URLSearchParams(new TextDecoder().decode(bytes)).get('id_token');
  if (idToken) {
    const verified = await verifiedSignIn(idToken, product.id, signIn, facts.now);
    const nonce = verified?.nonce ?? null;
    facts.signIn = {
      tenant: verified?.tenant ?? null,
      nonceHash: nonce === null ? null : await nonceDigest(nonce),
    };
  }
  return bytes;
}

function isSmallForm(headers: Headers): boolean {
  const type = (headers.get('content-type') ?? '').toLowerCase();
  const length = Number(headers.get('content-length') ?? 'NaN');
  return (
    type.startsWith('application/x-www-form-urlencoded') &&
    Number.isFinite(length) &&
    length <= MAX_SIGN_IN_BODY_BYTES
  );
}

/** Cookies by name; a malformed header yields what can be read, never an exception. */
function readCookies(header: string | null): Record<string, string> {
  if (!header) return {};
  try {
    return parseCookies(header);
  } catch {
    return {};
  }
}
