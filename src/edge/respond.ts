import type { Decision } from '../core/decide';
import { type ErrorCode, errorResponse } from '../errors';
import { TENANT_COOKIE } from '../core/decide';
import { HOP_COOKIE, HOP_MAX_AGE_SECONDS, HOP_PARAM } from '../core/hop';
import { RETURN_COOKIE, RETURN_COOKIE_MAX_AGE_SECONDS } from '../core/remember';

const TENANT_COOKIE_MAX_AGE_SECONDS = 30 * 24 * 60 * 60;
/**
 * The remembered deep link must reach the sign-in callback, which Entra ID's `form_post` makes a
 * cross-site POST: a `SameSite=Lax` (or default) cookie is not sent with it, which is why
 * ASP.NET Core's own correlation and nonce cookies use `SameSite=None; Secure`. It holds a path
 * on this host only, lives ten minutes and is used once, so being sent cross-site gives another
 * site nothing it could not do with a link.
 */
const RETURN_COOKIE_ATTRIBUTES = 'Path=/; HttpOnly; Secure; SameSite=None';

/** The two headers every legacy-host response carries: the decision's action and reason. */
export const DECISION_HEADER = 'X-Redirect-Decision';
export const REASON_HEADER = 'X-Redirect-Reason';

/**
 * Header pairs every legacy-host response carries (with the cookies the decision sets).
 * `secureCookies`: the hash page's marker is Secure (false only over plain http, a local run).
 */
export function decisionPairs(decision: Decision, secureCookies = true): [string, string][] {
  const pairs: [string, string][] = [
    [DECISION_HEADER, decision.action],
    [REASON_HEADER, decision.reason],
  ];
  if (decision.setTenantCookie) {
    pairs.push([
      'Set-Cookie',
      `${TENANT_COOKIE}=${decision.setTenantCookie}; Max-Age=${TENANT_COOKIE_MAX_AGE_SECONDS}; Path=/; HttpOnly; Secure; SameSite=Lax`,
    ]);
  }
  if (decision.rememberReturn) {
    pairs.push([
      'Set-Cookie',
      `${RETURN_COOKIE}=${decision.rememberReturn}; Max-Age=${RETURN_COOKIE_MAX_AGE_SECONDS}; ${RETURN_COOKIE_ATTRIBUTES}`,
    ]);
  } else if (decision.clearReturn) {
    pairs.push(['Set-Cookie', `${RETURN_COOKIE}=; Max-Age=0; ${RETURN_COOKIE_ATTRIBUTES}`]);
  }
  if (decision.clearHop) pairs.push(['Set-Cookie', hopCookie('', 0, secureCookies)]);
  return pairs;
}

/** True when the decision adds a cookie: the response belongs to this browser only. */
export function setsCookie(decision: Decision): boolean {
  return (
    decision.setTenantCookie !== undefined ||
    decision.rememberReturn !== undefined ||
    decision.clearReturn === true ||
    decision.clearHop === true
  );
}

/** The hash page's marker cookie: same-origin only, like the continuation that carries it back. */
function hopCookie(value: string, maxAge: number, secure: boolean): string {
  return `${HOP_COOKIE}=${value}; Max-Age=${maxAge}; Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

/** Headers every legacy-host response carries. */
export function decisionHeaders(decision: Decision, secureCookies = true): Headers {
  const headers = new Headers();
  for (const [name, value] of decisionPairs(decision, secureCookies)) headers.append(name, value);
  return headers;
}

/**
 * A redirect: no cache may keep it, since the tenant can turn redirection off at any time. No
 * body: browsers follow `Location` without showing one, and on the Worker's hottest path an HTML
 * note cost about a tenth of the throughput (bench scenario 1, measured with and without).
 */
export function redirectResponse(decision: Decision, secureCookies = true): Response {
  const location = decision.location as string;
  const status = decision.status ?? 302;
  if (setsCookie(decision)) {
    // A repeated Set-Cookie needs a list of pairs.
    const pairs = decisionPairs(decision, secureCookies);
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
 * maps with the same table. With no route it goes to the unified home; without script, a link
 * does.
 */
export function hashPageResponse(
  decision: Decision,
  method: string,
  now: number,
  secureCookies = true,
): Response {
  const home = decision.location as string;
  const nonce = randomToken();
  // The marker (core/hop.ts): when it was issued, and 128 random bits in URL-safe base64.
  const hop = `${String(now).padStart(13, '0')}.${base64url(randomToken())}`;
  const headers = decisionHeaders(decision, secureCookies);
  headers.append('Set-Cookie', hopCookie(hop, HOP_MAX_AGE_SECONDS, secureCookies));
  headers.set('Cache-Control', 'private, no-store');
  headers.set('Content-Type', 'text/html; charset=utf-8');
  headers.set(
    'Content-Security-Policy',
    `default-src 'none'; script-src 'nonce-${nonce}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
  );
  headers.set('Referrer-Policy', 'no-referrer');
  const script =
    `(function(){var h=location.hash.replace(/^#/,'');` +
    `if(h){var q=location.search;location.replace(location.pathname+(q?q+'&':'?')+'hash='+encodeURIComponent(h)+'&${HOP_PARAM}=${hop}');}` +
    `else{location.replace(${jsonForScript(home)});}})();`;
  const body =
    `<!doctype html><html lang="en"><meta charset="utf-8"><title>Moving to the Microsoft Defender portal</title>` +
    `<p>This portal has moved. <a href="${escapeHtml(home)}">Continue to the Microsoft Defender portal</a>.</p>` +
    `<script nonce="${nonce}">${script}</script></html>\n`;
  return new Response(method === 'HEAD' ? null : body, { status: 200, headers });
}

/** The error family's envelope on a legacy host (origin faults), with the decision headers. */
export function edgeError(decision: Decision, code: ErrorCode, message: string): Response {
  const response = errorResponse(code, message);
  for (const [name, value] of decisionPairs(decision)) response.headers.append(name, value);
  return response;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

function jsonForScript(value: string): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function base64url(base64: string): string {
  return base64.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
}

/** 128 random bits, base64. */
function randomToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}
