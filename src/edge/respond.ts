import type { Decision } from '../core/decide';
import { TENANT_COOKIE } from '../core/decide';

const TENANT_COOKIE_MAX_AGE_SECONDS = 30 * 24 * 60 * 60;

/** Header pairs every legacy-host response carries. */
export function decisionPairs(decision: Decision): [string, string][] {
  const pairs: [string, string][] = [
    ['X-Redirect-Decision', decision.action],
    ['X-Redirect-Reason', decision.reason],
  ];
  if (decision.setTenantCookie) {
    pairs.push([
      'Set-Cookie',
      `${TENANT_COOKIE}=${decision.setTenantCookie}; Max-Age=${TENANT_COOKIE_MAX_AGE_SECONDS}; Path=/; HttpOnly; Secure; SameSite=Lax`,
    ]);
  }
  return pairs;
}

/** Headers every legacy-host response carries. */
export function decisionHeaders(decision: Decision): Headers {
  return new Headers(decisionPairs(decision));
}

/**
 * A redirect: no cache may keep it, since the tenant can turn redirection off at any time. No
 * body: browsers follow `Location` without showing one, and on the Worker's hottest path an HTML
 * note cost about a tenth of the throughput (bench scenario 1, measured with and without).
 */
export function redirectResponse(decision: Decision): Response {
  // One Headers built from a plain record.
  const headers: Record<string, string> = Object.fromEntries(decisionPairs(decision));
  headers.Location = decision.location as string;
  headers['Cache-Control'] = 'private, no-store';
  return new Response(null, { status: decision.status ?? 302, headers });
}

/**
 * The page for a hash-routed SPA root (`/#/route`): the route never reaches the server, so a
 * small script sends it back as `?hash=/route`, which the edge maps with the same table. With no
 * route it goes to the unified home; without script, a link does.
 */
export function hashPageResponse(decision: Decision, method: string): Response {
  const home = decision.location as string;
  const nonce = randomNonce();
  const headers = decisionHeaders(decision);
  headers.set('Cache-Control', 'private, no-store');
  headers.set('Content-Type', 'text/html; charset=utf-8');
  headers.set(
    'Content-Security-Policy',
    `default-src 'none'; script-src 'nonce-${nonce}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
  );
  headers.set('Referrer-Policy', 'no-referrer');
  const script =
    `(function(){var h=location.hash.replace(/^#/,'');` +
    `if(h){var q=location.search;location.replace(location.pathname+(q?q+'&':'?')+'hash='+encodeURIComponent(h));}` +
    `else{location.replace(${jsonForScript(home)});}})();`;
  const body =
    `<!doctype html><html lang="en"><meta charset="utf-8"><title>Moving to the Microsoft Defender portal</title>` +
    `<p>This portal has moved. <a href="${escapeHtml(home)}">Continue to the Microsoft Defender portal</a>.</p>` +
    `<script nonce="${nonce}">${script}</script></html>\n`;
  return new Response(method === 'HEAD' ? null : body, { status: 200, headers });
}

/** A JSON error on a legacy host (origin faults); the decision headers stay. */
export function edgeError(
  decision: Decision,
  status: number,
  error: string,
  message: string,
): Response {
  const headers = decisionHeaders(decision);
  headers.set('Content-Type', 'application/json; charset=utf-8');
  headers.set('Cache-Control', 'no-store');
  return new Response(JSON.stringify({ error, message }), { status, headers });
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

function randomNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}
