import type { ProductId } from '../catalogue/types';
import type { ToggleMode } from './toggle';

/** Who made a change: the token's object id, name, UPN and identity provider. */
export interface Actor {
  oid: string;
  name: string;
  upn: string;
  idp: string;
}

export const AUDIT_EVENTS = ['change', 'schedule-created', 'schedule-cancelled'] as const;
export type AuditEvent = (typeof AUDIT_EVENTS)[number];
export const isAuditEvent = (v: unknown): v is AuditEvent =>
  (AUDIT_EVENTS as readonly unknown[]).includes(v);

export interface AuditEntry {
  id: string;
  at: string;
  product: ProductId;
  /** `mode === 'on'` (kept for readers that predate modes). */
  enabled: boolean;
  previous: boolean;
  mode: ToggleMode;
  previousMode: ToggleMode;
  version: number;
  /** The admin who made the change, or who scheduled it (`via: 'schedule'`). */
  actor: Actor;
  /** `admin`: made directly; `schedule`: applied by a scheduled change on the actor's behalf. */
  via: 'admin' | 'schedule';
  feedback: string | null;
  /**
   * What the entry records: a change of the setting (`mode` from `previousMode`), or a scheduled
   * change set or cancelled by `actor` (to `mode`, at `scheduledFor`; the setting is unchanged).
   */
  event: AuditEvent;
  /** The scheduled change's time (`schedule-created`, `schedule-cancelled`), else `null`. */
  scheduledFor: string | null;
}

/** An audit entry as clients see it: the store's internal version left out. */
export type PublicAuditEntry = Omit<AuditEntry, 'version'>;

export interface AuditQuery {
  product?: ProductId;
  /** Matches the actor's object id, or their UPN without regard to case. */
  actor?: string;
  /** ISO-8601 instant, inclusive. */
  from?: string;
  /** ISO-8601 instant, exclusive. */
  to?: string;
  /** 1..MAX_AUDIT_PAGE (limits.ts), default DEFAULT_AUDIT_PAGE. */
  limit?: number;
  /** Opaque, from a previous page of the same query. */
  cursor?: string;
}

export interface AuditPage {
  /** Newest first. */
  entries: AuditEntry[];
  cursor: string | null;
}

export type ExportFormat = 'csv' | 'json';

/** The audit log as a file. */
export interface AuditExport {
  contentType: string;
  filename: string;
  body: string;
  rows: number;
}
