import type { Config } from '../config';
import { errorResponse } from '../errors';
import { forward } from './passthrough';

/**
 * The edge's error boundary. A legacy host must keep working whatever goes wrong in this Worker:
 * an unexpected throw is logged and the request goes to the origin as it came, untouched. Only
 * when that is impossible (the body was already read) or the origin cannot answer is the
 * answer a JSON 502, never the platform's error page.
 */
export function withEdgeBoundary(
  request: Request,
  url: URL,
  config: Config,
  handle: () => Response | Promise<Response>,
): Response | Promise<Response> {
  try {
    const result = handle();
    return result instanceof Promise
      ? result.catch((error) => recover(request, url, config, error))
      : result;
  } catch (error) {
    return recover(request, url, config, error);
  }
}

async function recover(
  request: Request,
  url: URL,
  config: Config,
  error: unknown,
): Promise<Response> {
  console.error(`edge: unexpected error on ${request.method} ${url.host}${url.pathname}:`, error);
  if (request.bodyUsed)
    return errorResponse('origin_unreachable', 'The legacy portal could not be reached.');
  const forwarded = await forward(
    request,
    request.body,
    { origin: config.passthroughOrigin, timeoutMs: config.originTimeoutMs },
    url,
  );
  return forwarded.ok
    ? forwarded.response
    : errorResponse('origin_unreachable', 'The legacy portal could not be reached.');
}
