import type { Decision } from '../core/decide';
import { decisionHeaders, edgeError } from './respond';

export interface PassThroughOptions {
  /** Send pass-through requests here instead of the request's own origin (local use, tests). */
  origin: URL | null;
  /** How long to wait for the origin's response headers. */
  timeoutMs: number;
}

/**
 * Send the request on, untouched: same method, path, query, headers and body. The origin's body
 * streams back to the client; only the decision headers (and the tenant cookie) are added.
 */
export async function passThrough(
  request: Request,
  body: BodyInit | null,
  decision: Decision,
  options: PassThroughOptions,
): Promise<Response> {
  const url = new URL(request.url);
  let target: string;
  const headers = new Headers(request.headers);
  if (options.origin) {
    const to = new URL(options.origin.href);
    to.pathname = url.pathname;
    to.search = url.search;
    target = to.href;
    headers.set('X-Forwarded-Host', url.host);
    headers.delete('host');
  } else {
    target = request.url;
  }
  const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
  let upstream: Response;
  try {
    upstream = await fetch(target, {
      method: request.method,
      headers,
      body: hasBody ? body : null,
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    console.warn(`pass-through to ${new URL(target).host} failed: ${String(error)}`);
    return timedOut
      ? edgeError(decision, 504, 'origin_timeout', 'The legacy portal did not answer in time.')
      : edgeError(decision, 502, 'origin_unreachable', 'The legacy portal could not be reached.');
  }
  const response = new Response(upstream.body, upstream);
  for (const [name, value] of decisionHeaders(decision)) {
    if (name.toLowerCase() === 'set-cookie') response.headers.append(name, value);
    else response.headers.set(name, value);
  }
  return response;
}
