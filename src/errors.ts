import { HTTPException } from 'hono/http-exception';
import { MAX_BODY_BYTES } from './model/limits';
import type { Failure } from './model/result';

/**
 * The one error family: every JSON error this Worker answers (settings API, settings pages, the
 * edge boundary) is `{ error, message }` with a stable code from this list and `no-store`.
 */
export type ErrorCode =
  | 'invalid_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'locked'
  | 'precondition_failed'
  | 'payload_too_large'
  | 'rate_limited'
  | 'origin_unreachable'
  | 'origin_timeout'
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
  rate_limited: 429,
  internal_error: 500,
  origin_unreachable: 502,
  unavailable: 503,
  origin_timeout: 504,
};

/** An error a client is told about: a code, a human message, headers (ETag, Retry-After...). */
export class AppError extends Error {
  override readonly name = 'AppError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
    /** The precise cause, for logs only: never on the wire. */
    readonly detail?: string,
    /** Why, where a code has several causes a page says apart (a schedule's refusal). */
    readonly reason?: string,
  ) {
    super(message);
  }

  get status(): number {
    return STATUS[this.code];
  }
}

/** The envelope. */
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

export const tooLarge = () =>
  new AppError(
    'payload_too_large',
    `The request body is larger than ${MAX_BODY_BYTES / 1024} KiB.`,
  );

/**
 * The one mapping: store errors, Hono's own middleware errors and AppErrors to an AppError.
 * Anything else is unexpected (`null`): the caller logs it and answers `internal_error`.
 */
export function toAppError(error: unknown): AppError | null {
  if (error instanceof AppError) return error;
  if (error instanceof HTTPException) {
    // Thrown by Hono's own middleware (CSRF origin check, body parsing).
    if (error.status === 413) return tooLarge();
    if (error.status === 400)
      return new AppError('invalid_request', error.message || 'The request is not valid.');
    if (error.status === 403)
      return new AppError('forbidden', 'This request is not allowed from this origin.');
  }
  return null;
}

/** The object's failures in the family: 412 with the current ETag, 429 and 503 with Retry-After. */
export function settingsFailure(failure: Failure): AppError {
  switch (failure.error) {
    case 'precondition_failed':
      return new AppError(
        'precondition_failed',
        'The setting changed since you read it; read it again.',
        { ETag: `"${failure.current}"` },
      );
    case 'rate_limited':
      return new AppError(
        'rate_limited',
        'Too many changes for this tenant; try again after Retry-After seconds.',
        { 'Retry-After': String(failure.retryAfterSeconds) },
      );
    case 'unavailable':
      return new AppError(
        'unavailable',
        'The settings store is busy; try again shortly.',
        { 'Retry-After': String(failure.retryAfterSeconds) },
        'the settings object could not import from KV',
      );
    case 'invalid_request':
      return new AppError('invalid_request', failure.message, {}, undefined, failure.reason);
    case 'not_found':
      return new AppError('not_found', failure.message);
  }
}

/** Answer any thrown value in the envelope, logging its cause (and every unexpected error). */
export function answerError(error: unknown, where: string): Response {
  const known = toAppError(error);
  if (known === null) {
    console.error(`unhandled error on ${where}:`, error);
    return errorResponse('internal_error', 'Something went wrong.');
  }
  if (known.detail) console.warn(`${where}: ${known.code}: ${known.detail}`);
  return errorResponse(known.code, known.message, known.headers);
}
