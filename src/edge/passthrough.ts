import type { Decision } from '../core/decide';
import { DECISION_HEADER, decisionPairs, edgeError, REASON_HEADER, setsCookie } from './respond';

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

/**
 * The origin's response, streamed, with the decision headers added. A response that gains a
 * cookie belongs to this browser alone: never publicly cacheable, whatever the origin said.
 */
export function withDecision(
  upstream: Response,
  decision: Decision,
  body: ReadableStream | null = upstream.body,
  secureCookies = true,
): Response {
  const response = new Response(body, upstream);
  const headers = response.headers;
  if (!setsCookie(decision)) {
    // The common pass-through (a signed-in session): decisionPairs' two headers, set directly.
    headers.set(DECISION_HEADER, decision.action);
    headers.set(REASON_HEADER, decision.reason);
    return response;
  }
  for (const [name, value] of decisionPairs(decision, secureCookies)) {
    if (name === 'Set-Cookie') headers.append(name, value);
    else headers.set(name, value);
  }
  headers.set('Cache-Control', 'private, no-store');
  return response;
}

/**
 * Pass the request through: the origin's body streams back to the client; only the decision
 * headers (and its cookies) are added.
 */
export async function passThrough(
  request: Request,
  body: BodyInit | null,
  decision: Decision,
  options: PassThroughOptions,
  url?: URL,
  secureCookies = true,
): Promise<Response> {
  const forwarded = await forward(request, body, options, url);
  return forwarded.ok
    ? withDecision(forwarded.response, decision, undefined, secureCookies)
    : originError(decision, forwarded.error);
}
