import type { Decision } from '../core/decide';
import { meaningOf, type Reason } from '../core/reasons';
import { DECISION_HEADER, decisionPairs, edgeError, REASON_HEADER } from './respond';

export interface PassThroughOptions {
  /** Send pass-through requests here instead of the request's own origin (local use, tests). */
  origin: URL | null;
  /** How long to wait for the origin's response headers (not its body). */
  timeoutMs: number;
}

export type Forwarded =
  | { ok: true; response: Response }
  | { ok: false; error: 'origin_timeout' | 'origin_unreachable' };

/**
 * Send the request on, untouched: same method, path, query, headers and body. `url` is the
 * request's URL, already parsed by the caller.
 */
export async function forward(
  request: Request,
  body: BodyInit | null,
  options: PassThroughOptions,
  url: URL = new URL(request.url),
): Promise<Forwarded> {
  let target: string;
  const headers = new Headers(request.headers);
  if (options.origin) {
    // The origin is a bare origin (config.ts) and pathname/search come serialised from the URL
    // parser, so joining them is what the URL setters would give.
    target = options.origin.origin + url.pathname + url.search;
    headers.set('X-Forwarded-Host', url.host);
    headers.set('X-Forwarded-Proto', url.protocol.slice(0, -1));
    headers.delete('host');
  } else {
    target = request.url;
  }
  const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
  // The timeout covers the wait for the response headers only: a long body must keep streaming.
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new DOMException('origin timed out', 'TimeoutError')),
    options.timeoutMs,
  );
  try {
    const response = await fetch(target, {
      method: request.method,
      headers,
      body: hasBody ? body : null,
      redirect: 'manual',
      signal: controller.signal,
    });
    return { ok: true, response };
  } catch (error) {
    const timedOut =
      error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    console.warn(`pass-through to ${new URL(target).host} failed: ${String(error)}`);
    return { ok: false, error: timedOut ? 'origin_timeout' : 'origin_unreachable' };
  } finally {
    clearTimeout(timer);
  }
}

/** The JSON error a client gets when the origin could not answer. */
export function originError(
  decision: Decision,
  error: 'origin_timeout' | 'origin_unreachable',
): Response {
  return error === 'origin_timeout'
    ? edgeError(decision, 'origin_timeout', 'The legacy portal did not answer in time.')
    : edgeError(decision, 'origin_unreachable', 'The legacy portal could not be reached.');
}

/** Request headers a browser-dependent pass was decided on (RFC 9110 12.5.5). */
const VARY_BROWSER = ['Cookie', 'Sec-Fetch-Mode', 'Sec-Fetch-Site'];
/** A request that is not a navigation was decided on Fetch Metadata alone. */
const VARY_NOT_NAVIGATION = ['Sec-Fetch-Mode'];

/**
 * The origin's response, streamed, with the decision headers and `cookies` (Set-Cookie lines)
 * added. A response that gains a cookie belongs to this browser alone: never cacheable, whatever
 * the origin said.
 */
export function withDecision(
  upstream: Response,
  decision: Decision,
  body: ReadableStream | null = upstream.body,
  cookies: readonly string[] = [],
): Response {
  const response = new Response(body, upstream);
  const headers = response.headers;
  if (cookies.length === 0) {
    // The common pass-through (a signed-in session): decisionPairs' two headers, set directly.
    headers.set(DECISION_HEADER, decision.action);
    headers.set(REASON_HEADER, decision.reason);
  } else {
    for (const [name, value] of decisionPairs(decision, cookies)) {
      if (name === 'Set-Cookie') headers.append(name, value);
      else headers.set(name, value);
    }
    headers.set('Cache-Control', 'private, no-store');
  }
  return response;
}

/**
 * A browser-dependent pass: `Cache-Control` made `private` (the origin's other directives kept,
 * `public` and `s-maxage` dropped) and `Vary` naming what was read. A pass that was not a
 * navigation only varies on `Sec-Fetch-Mode`, so a navigation is never answered from it.
 */
export function keepFromSharedCaches(headers: Headers, reason: Reason): void {
  // What the decision read (the reason table's `varies`): a pass decided on the browser's
  // cookies, Fetch Metadata or the tenant's state may be decided otherwise for another browser,
  // or for this one a minute later, so no shared cache may answer for it.
  const varies = meaningOf(reason).varies;
  if (varies === 'fetch-metadata') {
    appendVary(headers, VARY_NOT_NAVIGATION);
    return;
  }
  if (varies !== 'browser') return;
  appendVary(headers, VARY_BROWSER);
  const cache = headers.get('cache-control');
  if (cache === null) {
    headers.set('Cache-Control', 'private');
    return;
  }
  const kept = cache
    .split(',')
    .map((d) => d.trim())
    .filter((d) => {
      const name = d.split('=')[0]?.toLowerCase() ?? '';
      return d !== '' && name !== 'public' && name !== 's-maxage' && name !== 'private';
    });
  headers.set('Cache-Control', ['private', ...kept].join(', '));
}

function appendVary(headers: Headers, names: readonly string[]): void {
  const vary = headers.get('vary');
  if (vary?.trim() === '*') return;
  const present = new Set((vary ?? '').split(',').map((v) => v.trim().toLowerCase()));
  const added = names.filter((n) => !present.has(n.toLowerCase()));
  if (added.length > 0)
    headers.set('Vary', vary ? `${vary}, ${added.join(', ')}` : added.join(', '));
}

/**
 * Pass a legacy browser host's request through: the origin's body streams back to the client;
 * only the decision headers (and its cookies) are added, and a browser-dependent pass is kept
 * from shared caches.
 */
export async function passThrough(
  request: Request,
  body: BodyInit | null,
  decision: Decision,
  options: PassThroughOptions,
  url?: URL,
  cookies: readonly string[] = [],
): Promise<Response> {
  const forwarded = await forward(request, body, options, url);
  if (!forwarded.ok) return originError(decision, forwarded.error);
  const response = withDecision(forwarded.response, decision, undefined, cookies);
  if (cookies.length === 0) keepFromSharedCaches(response.headers, decision.reason);
  return response;
}
