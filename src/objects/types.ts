import type { ProductId } from '../catalogue/types';
import type { Actor, AuditEntry, ToggleMode, ToggleRecord } from '../store/records';

/** One admin's change, as the settings service hands it to the tenant's object. */
export interface ChangeRequest {
  tenant: string;
  product: ProductId;
  mode: ToggleMode;
  /** The catalogue default: the current value when the tenant never chose. */
  defaultEnabled: boolean;
  actor: Actor;
  feedback: string | null;
  /** Expected current version (0: never changed); `undefined` for no precondition. */
  ifMatch?: number;
}

/**
 * Results of the TenantSettings object's RPC methods. Failures the API must map to a status are
 * values, not exceptions (an exception crossing RPC loses its class): `precondition_failed` ->
 * 412 with the current ETag, `rate_limited` -> 429 with `Retry-After`, `invalid_request` -> 400,
 * `unavailable` -> 503 (the first-use import from KV failed; nothing was written).
 */
export type Failure =
  | { ok: false; error: 'invalid_request'; message: string }
  | { ok: false; error: 'unavailable'; retryAfterSeconds: number };

export type ChangeOutcome =
  | {
      ok: true;
      /** The record after the change (`null`: the tenant never chose and nothing changed). */
      record: ToggleRecord | null;
      /** `false` when the value was already set: nothing written, version unchanged. */
      changed: boolean;
      /** The KV record holds this version now; `false`: the alarm will re-write it. */
      kvSynced: boolean;
    }
  | { ok: false; error: 'precondition_failed'; current: number }
  | { ok: false; error: 'rate_limited'; retryAfterSeconds: number }
  | Failure;

export type RecordsResult =
  | { ok: true; records: Partial<Record<ProductId, ToggleRecord>> }
  | Failure;

export interface AuditQuery {
  product?: ProductId;
  /** Matches the actor's object id, or their UPN without regard to case. */
  actor?: string;
  /** ISO-8601 instant, inclusive. */
  from?: string;
  /** ISO-8601 instant, exclusive. */
  to?: string;
  /** 1..200, default 50. */
  limit?: number;
  /** Opaque, from a previous page of the same query. */
  cursor?: string;
}

export type AuditResult = { ok: true; entries: AuditEntry[]; cursor: string | null } | Failure;

export type ExportFormat = 'csv' | 'json';

export type ExportResult =
  | { ok: true; contentType: string; filename: string; body: string; rows: number }
  | Failure;

export interface SyncStatus {
  /** Products whose KV record is older than the object's state. */
  pending: ProductId[];
  /** Failed KV write rounds since the last success (drives the backoff). */
  attempts: number;
  /** When the alarm runs next (epoch ms), or `null`. */
  alarmAt: number | null;
}
