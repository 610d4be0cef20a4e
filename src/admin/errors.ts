import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { InvalidCursorError, StoreUnavailableError } from '../store/toggles';

/** Stable error codes of the settings API (a contract: clients switch on them). */
export type ErrorCode =
  | 'invalid_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'locked'
  | 'precondition_failed'
  | 'payload_too_large'
  | 'unavailable'
  | 'internal_error';

const STATUS: Record<ErrorCode, number> = {
  invalid_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  locked: 409,
  precondition_failed: 412,
  payload_too_large: 413,
  unavailable: 503,
  internal_error: 500,
};

/** The one error type of the settings side; `onError` turns it into the JSON body. */
export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
    /** The precise cause, for logs only: never on the wire. */
    readonly detail?: string,
  ) {
    super(message);
  }
}

export function errorResponse(
  code: ErrorCode,
  message: string,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify({ error: code, message }), {
    status: STATUS[code],
    headers: {
      'Content-Type': 'application/json; charset=utf-8',
      'Cache-Control': 'no-store',
      ...headers,
    },
  });
}

/** Every error of the settings side, as `{ error, message }`; unknown errors become a bare 500. */
export function onError(error: Error, c: Context): Response {
  if (error instanceof ApiError) {
    if (error.detail)
      console.warn(
        `${c.req.method} ${new URL(c.req.url).pathname}: ${error.code}: ${error.detail}`,
      );
    return errorResponse(error.code, error.message, error.headers);
  }
  if (error instanceof InvalidCursorError) {
    console.warn(error.message);
    return errorResponse('invalid_request', 'The cursor is not valid; start again without one.');
  }
  if (error instanceof StoreUnavailableError) {
    console.warn(`store unavailable: ${error.message}`);
    return errorResponse('unavailable', 'The settings store is busy; try again shortly.', {
      'Retry-After': '1',
    });
  }
  if (error instanceof HTTPException) {
    // Thrown by hono's own middleware (body limit, CSRF origin check, validators).
    if (error.status === 413)
      return errorResponse('payload_too_large', 'The request body is larger than 16 KiB.');
    if (error.status === 400)
      return errorResponse('invalid_request', error.message || 'The request is not valid.');
    if (error.status === 403)
      return errorResponse('forbidden', 'This request is not allowed from this origin.');
  }
  console.error(`unhandled error on ${c.req.method} ${new URL(c.req.url).pathname}:`, error);
  return errorResponse('internal_error', 'Something went wrong.');
}
