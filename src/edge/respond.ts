import type { Decision } from '../core/decide';
import type { RequestFacts } from '../core/facts';
import { HOP_PARAM, MINTED, type MintedKind, mintedName, STAY_FIELD } from '../core/minted';
import { type ErrorCode, errorResponse } from '../errors';
import type { CookieSigner } from './signed-cookies';
import { randomToken } from '../lib/base64url';
import { escapeHtml } from '../lib/html';

/** The two headers every legacy-host response carries: the decision's action and reason. */
export const DECISION_HEADER = 'X-Redirect-Decision';
export const REASON_HEADER = 'X-Redirect-Reason';

/**
 * Each cookie's attributes besides its value and lifetime, over https and over plain http (local
 * runs only, where a browser refuses `Secure` and `SameSite=None` without it).
 * - `tid` is `Lax`: sent with a link opened from another site (an e-mail, a SIEM), never with a
 *   cross-site POST.
 * - `trip` must reach the sign-in callback, which Entra ID's `form_post` makes a cross-site POST:
 *   `SameSite=None`, as ASP.NET's own correlation and nonce cookies are. It holds only a digest
 *   and a path on this host, lives ten minutes and is used once.
 * - `hop` is `Strict`: only the hash page's own same-origin continuation carries it back.
 */
const ATTRIBUTES: Readonly<Record<MintedKind, { https: string; http: string }>> = {
  tid: { https: 'Path=/; HttpOnly; Secure; SameSite=Lax', http: 'Path=/; HttpOnly; SameSite=Lax' },
  trip: { https: 'Path=/; HttpOnly; Secure; SameSite=None', http: 'Path=/; HttpOnly' },
  hop: {
    https: 'Path=/; HttpOnly; Secure; SameSite=Strict',
    http: 'Path=/; HttpOnly; SameSite=Strict',
  },
};

/** The Set-Cookie line for one of the edge's cookies: `value` signed already, `''` to clear it. */
export function mintedCookie(kind: MintedKind, value: string, secure: boolean): string {
  const maxAge = value === '' ? 0 : MINTED[kind].maxAgeSeconds;
  const attributes = secure ? ATTRIBUTES[kind].https : ATTRIBUTES[kind].http;
  return `${mintedName(kind, secure)}=${value}; Max-Age=${maxAge}; ${attributes}`;
}

/** True when the decision adds a cookie: the response belongs to this browser only. */
export function setsCookie(decision: Decision): boolean {
  return (
    decision.setTenantCookie !== undefined ||
    decision.clearTrip === true ||
    decision.clearHop === true ||
    decision.clearRejected === true
  );
}

/**
 * The Set-Cookie lines a decision asks for: clearing needs no signature and comes at once; the
 * tenant cookie is signed first (a verified sign-in, already on a path that waits).
 */
export function decisionCookies(
  decision: Decision,
  facts: Pick<RequestFacts, 'host' | 'now' | 'minted'>,
  secure: boolean,
  signer: CookieSigner | null,
): string[] | Promise<string[]> {
  const lines: string[] = [];
  if (decision.clearTrip) lines.push(mintedCookie('trip', '', secure));
  if (decision.clearHop) lines.push(mintedCookie('hop', '', secure));
  if (decision.clearRejected)
    for (const name of facts.minted.rejected)
      if (!lines.some((line) => line.startsWith(`${name}=`)))
        lines.push(`${name}=; Max-Age=0; Path=/${name.startsWith('__Host-') ? '; Secure' : ''}`);
  const tenant = decision.setTenantCookie;
  if (tenant === undefined || signer === null) return lines;
  return signer
    .sign(mintedName('tid', secure), facts.host, [tenant], facts.now)
    .then((value) => [mintedCookie('tid', value, secure), ...lines]);
}

/** Header pairs every legacy-host response carries, with the decision's cookie lines. */
export function decisionPairs(
  decision: Decision,
  cookies: readonly string[] = [],
): [string, string][] {
  const pairs: [string, string][] = [
    [DECISION_HEADER, decision.action],
    [REASON_HEADER, decision.reason],
  ];
  for (const line of cookies) pairs.push(['Set-Cookie', line]);
  return pairs;
}

/** Headers every legacy-host response carries. */
export function decisionHeaders(decision: Decision, cookies: readonly string[] = []): Headers {
  const headers = new Headers();
  for (const [name, value] of decisionPairs(decision, cookies)) headers.append(name, value);
  return headers;
}

/**
 * A redirect: no cache may keep it, since the tenant can turn redirection off at any time. No
 * body: browsers follow `Location` without showing one, and on the Worker's hottest path an HTML
 * note cost about a tenth of the throughput (bench scenario 1, measured with and without).
 */
export function redirectResponse(decision: Decision, cookies: readonly string[] = []): Response {
  const location = decision.location as string;
  const status = decision.status ?? 302;
  if (cookies.length > 0) {
    // A repeated Set-Cookie needs a list of pairs.
    const pairs = decisionPairs(decision, cookies);
    pairs.push(['Location', location], ['Cache-Control', 'private, no-store']);
    return new Response(null, { status, headers: pairs });
  }
  // The common redirect sets no cookie: the same headers as decisionPairs gives, as one object
  // literal, which the runtime turns into headers faster than a list of pairs. The names are
  // spelled out (DECISION_HEADER, REASON_HEADER): computed keys stay computed in the bundle,
  // and a literal with them is built key by key.
  return new Response(null, {
    status,
    headers: {
      'X-Redirect-Decision': decision.action,
      'X-Redirect-Reason': decision.reason,
      Location: location,
      'Cache-Control': 'private, no-store',
    },
  });
}

/**
 * The page for a hash-routed SPA root (`/#/route`): the route never reaches the server, so a
 * small script sends it back as `?hash=/route` with the hop marker (core/hop.ts), which the edge
 * maps with the same table. With no route it goes to `fallback`: the unified home for a redirect,
 * the legacy portal's sign-in for a sign-in about to start (`edge/signin-trip.ts`); without
 * script, a link does. `cookies`: the decision's cookie lines and any the page must carry on.
 * Only a `move` page sets the marker (core/hop.ts), and only with a signer (COOKIE_SIGNING_SECRET):
 * its navigation had passed the stickiness step. A `sign-in` page's navigation had not (an expired
 * session, say), so its continuation is decided as any navigation; without a signer a signed-in
 * Cloud Apps user's new tab stays on the classic portal.
 */
export async function hashPage(
  purpose: 'move' | 'sign-in',
  decision: Decision,
  fallback: string,
  facts: Pick<RequestFacts, 'method' | 'host' | 'now'>,
  secure: boolean,
  signer: CookieSigner | null,
  cookies: readonly string[] = [],
): Promise<Response> {
  const nonce = randomToken(16);
  const headers = decisionHeaders(decision, cookies);
  let hopParam = '';
  if (signer !== null && purpose === 'move') {
    const hop = randomToken(16);
    const marker = await signer.sign(mintedName('hop', secure), facts.host, [hop], facts.now);
    headers.append('Set-Cookie', mintedCookie('hop', marker, secure));
    hopParam = `+'&${HOP_PARAM}=${hop}'`;
  }
  headers.set('Cache-Control', 'private, no-store');
  headers.set('Content-Type', 'text/html; charset=utf-8');
  headers.set(
    'Content-Security-Policy',
    `default-src 'none'; script-src 'nonce-${nonce}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
  );
  headers.set('Referrer-Policy', 'no-referrer');
  const script =
    `(function(){var h=location.hash.replace(/^#/,'');` +
    `if(h){var q=location.search;location.replace(location.pathname+(q?q+'&':'?')+'hash='+encodeURIComponent(h)${hopParam});}` +
    `else{location.replace(${jsonForScript(fallback)});}})();`;
  const [title, text] = HASH_PAGE_WORDS[purpose];
  const body =
    `<!doctype html><html lang="en"><meta charset="utf-8"><title>${title}</title>` +
    `<p>${text} <a href="${escapeHtml(fallback)}">Continue</a>.</p>` +
    `<script nonce="${nonce}">${script}</script></html>\n`;
  return new Response(facts.method === 'HEAD' ? null : body, { status: 200, headers });
}

/**
 * A `?hash=` route that stays on the legacy portal, given back to the portal's app as it reads
 * routes: the root (the page's own query, without `hash` and the marker) with the route in its
 * fragment, and a stay marker so that root passes once instead of serving the hash page again.
 * The Location is a path on this host; the route is only ever its fragment, set through the URL
 * API (which escapes it), so it cannot reach another host.
 */
export async function restoreRoute(
  decision: Decision,
  url: URL,
  facts: Pick<RequestFacts, 'host' | 'now'>,
  secure: boolean,
  signer: CookieSigner,
  cookies: readonly string[],
): Promise<Response> {
  const to = new URL(url.pathname, url.origin);
  const kept = [...url.searchParams].filter(([name]) => {
    const lower = name.toLowerCase();
    return lower !== 'hash' && lower !== HOP_PARAM;
  });
  to.search = new URLSearchParams(kept).toString();
  to.hash = decision.restoreRoute as string;
  const marker = await signer.sign(
    mintedName('hop', secure),
    facts.host,
    [randomToken(16), STAY_FIELD],
    facts.now,
  );
  const headers = decisionHeaders(decision, [...cookies, mintedCookie('hop', marker, secure)]);
  headers.set('Location', `${to.pathname}${to.search}${to.hash}`);
  headers.set('Cache-Control', 'private, no-store');
  return new Response(null, { status: 302, headers });
}

/** The hash page's title and line, shown only until its script runs (or without script). */
const HASH_PAGE_WORDS = {
  move: ['Moving to the Microsoft Defender portal', 'This portal has moved.'],
  'sign-in': ['Signing in', 'Taking you to sign in.'],
} as const;

/** The error family's envelope on a legacy host (origin faults), with the decision headers. */
export function edgeError(decision: Decision, code: ErrorCode, message: string): Response {
  const response = errorResponse(code, message);
  for (const [name, value] of decisionPairs(decision)) response.headers.append(name, value);
  return response;
}

function jsonForScript(value: string): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
