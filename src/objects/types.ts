import type { ProductId } from '../catalogue/types';
import type { Actor, AuditEntry, ToggleMode, ToggleRecord } from '../store/records';
import type { ScheduleRefusal } from './schedule-input';

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
  | { ok: false; error: 'invalid_request'; message: string; reason?: ScheduleRefusal }
  | { ok: false; error: 'not_found'; message: string }
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

/** A change an admin set for later; the alarm applies it at `at` on the admin's behalf. */
export interface ScheduleRequest {
  tenant: string;
  product: ProductId;
  mode: ToggleMode;
  /** ISO-8601 instant. */
  at: string;
  defaultEnabled: boolean;
  actor: Actor;
}

export interface ScheduledChange {
  id: string;
  product: ProductId;
  mode: ToggleMode;
  /** When it is applied (ISO-8601, UTC). */
  at: string;
  createdAt: string;
  /** The admin who set it: the audit entry names them, `via: 'schedule'`. */
  actor: Actor;
}

export type ScheduleOutcome =
  | { ok: true; schedule: ScheduledChange }
  | { ok: false; error: 'rate_limited'; retryAfterSeconds: number }
  | Failure;

export type SchedulesResult = { ok: true; schedules: ScheduledChange[] } | Failure;

/**
 * `gone`: the change is no longer pending: `fate` is the audit entry of its cancellation (who,
 * when) or of its application, or `null` when the log has neither.
 */
export type CancelOutcome =
  | { ok: true; cancelled: ScheduledChange }
  | { ok: false; error: 'gone'; fate: AuditEntry | null }
  | Failure;

/** What one count is of: a decision (`redirect`/`pass`, key = reason) or an unmapped path. */
export type CountKind = 'redirect' | 'pass' | 'template';

/** One counter of the migration report, as an isolate sends it: n events in one hour. */
export interface CountRow {
  /** Hours since the epoch (`floor(ms / 3 600 000)`). */
  hour: number;
  product: ProductId;
  kind: CountKind;
  /** The reason (`redirect`, `pass`) or the path template (`template`). */
  key: string;
  n: number;
}

export type CountsOutcome = { ok: true; rows: number } | Failure;

export interface ProductReport {
  product: ProductId;
  /** Navigations to the legacy portal the edge decided on (redirected + passed). */
  navigations: number;
  redirected: number;
  /** Passed in observe mode that on would have redirected (also in `passed`). */
  observed: number;
  /** Passed, by reason. */
  passed: Record<string, number>;
  /** Paths no deep-link row knew (they land on the unified home), top 20 by count. */
  unmapped: { template: string; count: number }[];
}

export interface ReportWindow {
  window: '24h' | '7d';
  /** First hour counted (ISO), inclusive; the window runs to now. */
  from: string;
  products: ProductReport[];
}

export interface MigrationReport {
  generatedAt: string;
  windows: ReportWindow[];
  /** The last 24 hours, per product, oldest first: for the page's chart. */
  hourly: { product: ProductId; hours: ReportBucket[] }[];
  /** The last 7 UTC days (today's so far last), per product: the page's 7-day chart. */
  daily: { product: ProductId; days: ReportBucket[] }[];
}

/** One bar of a chart: the navigations counted from `at` for an hour or a day. */
export interface ReportBucket {
  at: string;
  redirected: number;
  /** Passed, observe included. */
  passed: number;
  /** Passed in observe mode that on would have redirected. */
  observed: number;
}

export type ReportResult = { ok: true; report: MigrationReport } | Failure;
