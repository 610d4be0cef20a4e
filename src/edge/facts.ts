import { parse as parseCookies } from 'hono/utils/cookie';
import type { Product } from '../catalogue/types';
import type { RequestFacts } from '../core/decide';
import { verifiedSignInTenant } from './signin';
import type { SignInConfig } from '../config/signin';

/** Largest sign-in form we read to find the id_token; a larger body streams through untouched. */
export const MAX_SIGN_IN_BODY_BYTES = 64 * 1024;

export interface GatheredRequest {
  facts: RequestFacts;
  /** The body to forward on pass-through: the bytes read for a sign-in, else the stream. */
  body: BodyInit | null;
}

/**
 * Turn a Request into decision facts, reading the body only for a sign-in callback POST of the
 * legacy host's product (`product`: the catalogue entry the host matched, if any), whose
 * id_token is verified (`signIn`) before its tenant counts.
 */
export async function gatherFacts(
  request: Request,
  url: URL,
  product: Product | undefined,
  now: number,
  signIn: SignInConfig,
): Promise<GatheredRequest> {
  const headers = request.headers;
  const facts: RequestFacts = {
    method: request.method.toUpperCase(),
    host: url.host,
    path: url.pathname,
    query: url.search.slice(1),
    secFetchMode: headers.get('sec-fetch-mode'),
    secFetchSite: headers.get('sec-fetch-site'),
    hasSecFetch:
      headers.has('sec-fetch-mode') ||
      headers.has('sec-fetch-site') ||
      headers.has('sec-fetch-dest') ||
      headers.has('sec-fetch-user'),
    accept: headers.get('accept'),
    cookies: readCookies(headers.get('cookie')),
    signIn: null,
    now,
  };
  let body: BodyInit | null = request.body;
  if (
    product &&
    facts.method === 'POST' &&
    url.pathname.toLowerCase() === product.callbackPath &&
    isSmallForm(headers)
  ) {
    const bytes = await request.arrayBuffer();
    body = bytes;
    const idToken = new URLSearchParams(new TextDecoder().decode(bytes)).get('id_token');
    if (idToken)
      facts.signIn = { tenant: await verifiedSignInTenant(idToken, product.id, signIn, now) };
  }
  return { facts, body };
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
