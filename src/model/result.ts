import type { ScheduleRefusal } from './changes';

/**
 * The one result shape: a value, or a failure that says why. Store reads, the settings object's
 * RPC answers and the settings store all answer it; failures are values because an exception
 * crossing RPC loses its class.
 */
export type Result<T, F extends { ok: false } = Failure> = { ok: true; value: T } | F;

/**
 * Why a settings operation did not happen, each mapped to one status of the error family
 * (errors.ts): `invalid_request` 400, `not_found` 404, `precondition_failed` 412 with the current
 * ETag, `rate_limited` 429 and `unavailable` 503 with Retry-After (the first-use import from KV
 * failed). Nothing was written.
 */
export type Failure =
  | { ok: false; error: 'invalid_request'; message: string; reason?: ScheduleRefusal }
  | { ok: false; error: 'not_found'; message: string }
  | { ok: false; error: 'precondition_failed'; current: number }
  | { ok: false; error: 'rate_limited'; retryAfterSeconds: number }
  | { ok: false; error: 'unavailable'; retryAfterSeconds: number };

export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });

export function invalidRequest(message: string, reason?: ScheduleRefusal): Failure {
  return { ok: false, error: 'invalid_request', message, ...(reason ? { reason } : {}) };
}
