import type { ProductId } from '../catalogue/types';
import { type AuditEntry, isAuditEvent } from '../model/audit';
import { isToggleMode, modeOf, type ToggleRecord } from '../model/toggle';
import { parseToggleRecord } from '../store/records';
import { REPORT_SCHEMA } from './report-sql';
import { SCHEDULE_SCHEMA } from './schedule-sql';

/**
 * The object's tables (docs/kv-schema.md). `IF NOT EXISTS` makes this safe to run on every
 * start; a later shape adds statements here, keyed by `meta.schema`.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS toggles (
  product TEXT PRIMARY KEY,
  enabled INTEGER NOT NULL,
  version INTEGER NOT NULL,
  record TEXT NOT NULL,
  kv_version INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS audit (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  at TEXT NOT NULL,
  at_ms INTEGER NOT NULL,
  product TEXT NOT NULL,
  enabled INTEGER NOT NULL,
  previous INTEGER NOT NULL,
  version INTEGER NOT NULL,
  actor_oid TEXT NOT NULL,
  actor_name TEXT NOT NULL,
  actor_upn TEXT NOT NULL,
  actor_idp TEXT NOT NULL,
  feedback TEXT,
  source TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_newest ON audit (at_ms DESC, seq DESC);
INSERT OR IGNORE INTO meta (key, value) VALUES ('schema', '1');
`;

/** Each later shape, applied once in order: `MIGRATIONS[i]` takes `meta.schema` from i + 1 to i + 2. */
const MIGRATIONS: readonly string[] = [
  // 2: observe mode and scheduled changes in the audit log.
  `ALTER TABLE audit ADD COLUMN mode TEXT;
   ALTER TABLE audit ADD COLUMN previous_mode TEXT;
   ALTER TABLE audit ADD COLUMN via TEXT;`,
  // 3: scheduled changes set and cancelled are audited too.
  `ALTER TABLE audit ADD COLUMN event TEXT;
   ALTER TABLE audit ADD COLUMN scheduled_for TEXT;`,
];

export type MetaKey = 'schema' | 'tenant' | 'imported_at' | 'import_summary' | 'kv_attempts';

interface ToggleRow extends Record<string, SqlStorageValue> {
  product: string;
  enabled: number;
  version: number;
  record: string;
  kv_version: number;
}

export interface AuditRow extends Record<string, SqlStorageValue> {
  seq: number;
  id: string;
  at: string;
  at_ms: number;
  product: string;
  enabled: number;
  previous: number;
  version: number;
  actor_oid: string;
  actor_name: string;
  actor_upn: string;
  actor_idp: string;
  feedback: string | null;
  mode: string | null;
  previous_mode: string | null;
  via: string | null;
  event: string | null;
  scheduled_for: string | null;
}

export interface StoredToggle {
  product: ProductId;
  version: number;
  kvVersion: number;
  /** The KV value, exactly as the object writes it. */
  raw: string;
  record: ToggleRecord;
}

/** Typed statements over the object's SQLite storage; the only module that writes SQL. */
export class SettingsSql {
  constructor(private readonly sql: SqlStorage) {}

  migrate(): void {
    this.sql.exec(SCHEMA);
    this.sql.exec(SCHEDULE_SCHEMA);
    this.sql.exec(REPORT_SCHEMA);
    for (let v = Number(this.meta('schema') ?? 1); v <= MIGRATIONS.length; v++) {
      this.sql.exec(MIGRATIONS[v - 1] as string);
      this.setMeta('schema', String(v + 1));
    }
  }

  meta(key: MetaKey): string | null {
    const row = this.sql
      .exec<{ value: string }>('SELECT value FROM meta WHERE key = ?', key)
      .toArray()[0];
    return row?.value ?? null;
  }

  setMeta(key: MetaKey, value: string): void {
    this.sql.exec(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
      key,
      value,
    );
  }

  toggle(product: ProductId): StoredToggle | null {
    const row = this.sql
      .exec<ToggleRow>('SELECT * FROM toggles WHERE product = ?', product)
      .toArray()[0];
    return row === undefined ? null : storedToggle(row);
  }

  toggles(): StoredToggle[] {
    return this.sql
      .exec<ToggleRow>('SELECT * FROM toggles ORDER BY product')
      .toArray()
      .map(storedToggle);
  }

  /** Products whose KV record lags the object's state. */
  pendingKv(): StoredToggle[] {
    return this.sql
      .exec<ToggleRow>('SELECT * FROM toggles WHERE kv_version < version ORDER BY product')
      .toArray()
      .map(storedToggle);
  }

  /** Insert or replace a product's state; `kvVersion` only on insert (KV lags until written). */
  putToggle(product: ProductId, record: ToggleRecord, kvVersion = 0): void {
    this.sql.exec(
      `INSERT INTO toggles (product, enabled, version, record, kv_version) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(product) DO UPDATE SET enabled = excluded.enabled, version = excluded.version,
         record = excluded.record`,
      product,
      record.enabled ? 1 : 0,
      record.version,
      JSON.stringify(record),
      kvVersion,
    );
  }

  /** An import keeps what the object already holds. */
  insertToggleIfAbsent(product: ProductId, record: ToggleRecord): boolean {
    return (
      this.sql
        .exec(
          `INSERT OR IGNORE INTO toggles (product, enabled, version, record, kv_version)
         VALUES (?, ?, ?, ?, ?) RETURNING product`,
          product,
          record.enabled ? 1 : 0,
          record.version,
          JSON.stringify(record),
          record.version,
        )
        .toArray().length > 0
    );
  }

  markKvWritten(product: ProductId, version: number): void {
    this.sql.exec(
      'UPDATE toggles SET kv_version = ? WHERE product = ? AND kv_version < ?',
      version,
      product,
      version,
    );
  }

  /**
   * `false` when an entry with this id is already stored (imports run more than once). Counted
   * with RETURNING: `rowsWritten` is not zero for an ignored insert into this table.
   */
  insertAudit(entry: AuditEntry, source: 'object' | 'kv-import'): boolean {
    return (
      this.sql
        .exec(
          `INSERT OR IGNORE INTO audit (id, at, at_ms, product, enabled, previous, version,
           actor_oid, actor_name, actor_upn, actor_idp, feedback, source, mode, previous_mode, via,
           event, scheduled_for)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq`,
          entry.id,
          entry.at,
          Date.parse(entry.at),
          entry.product,
          entry.enabled ? 1 : 0,
          entry.previous ? 1 : 0,
          entry.version,
          entry.actor.oid,
          entry.actor.name,
          entry.actor.upn,
          entry.actor.idp,
          entry.feedback,
          source,
          entry.mode,
          entry.previousMode,
          entry.via,
          entry.event,
          entry.scheduledFor,
        )
        .toArray().length > 0
    );
  }

  /**
   * What became of a schedule that is no longer pending: its cancellation's audit entry, or its
   * application's; `null` when neither is in the log (applied without a change, or past retention).
   */
  scheduleFate(scheduleId: string): AuditEntry | null {
    const rows = this.sql
      .exec<AuditRow>(
        'SELECT * FROM audit WHERE id IN (?, ?) ORDER BY at_ms DESC LIMIT 1',
        scheduleEntryId(scheduleId, 'schedule-cancelled'),
        scheduleEntryId(scheduleId, 'change'),
      )
      .toArray();
    return rows[0] === undefined ? null : auditEntryOf(rows[0]);
  }

  /** Delete audit rows older than `cutoffMs`; returns how many went. */
  pruneAudit(cutoffMs: number): number {
    return this.sql.exec('DELETE FROM audit WHERE at_ms < ? RETURNING seq', cutoffMs).toArray()
      .length;
  }

  oldestAuditMs(): number | null {
    const row = this.sql.exec<{ t: number | null }>('SELECT MIN(at_ms) AS t FROM audit').one();
    return row.t;
  }

  countAudit(): number {
    return this.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM audit').one().n;
  }

  /** Newest first; `where` is built only from fixed fragments with bound values. */
  auditPage(where: string[], bindings: SqlStorageValue[], limit: number): AuditRow[] {
    const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    return this.sql
      .exec<AuditRow>(
        `SELECT * FROM audit ${clause} ORDER BY at_ms DESC, seq DESC LIMIT ?`,
        ...bindings,
        limit,
      )
      .toArray();
  }
}

/** The audit entry id of what a schedule did: set, cancelled, or applied (`change`). */
export function scheduleEntryId(scheduleId: string, event: AuditEntry['event']): string {
  return `${scheduleId}.${event === 'change' ? 'applied' : event === 'schedule-created' ? 'created' : 'cancelled'}`;
}

function storedToggle(row: ToggleRow): StoredToggle {
  const record = parseToggleRecord(row.record);
  if (record === null) throw new Error(`toggles row ${row.product} holds no toggle record`);
  return {
    product: row.product as ProductId,
    version: row.version,
    kvVersion: row.kv_version,
    raw: row.record,
    record,
  };
}

export function auditEntryOf(row: AuditRow): AuditEntry {
  return {
    id: row.id,
    at: row.at,
    product: row.product as ProductId,
    enabled: row.enabled === 1,
    previous: row.previous === 1,
    // Rows from before modes (schema 1) hold only the booleans.
    mode: isToggleMode(row.mode) ? row.mode : modeOf(row.enabled === 1),
    previousMode: isToggleMode(row.previous_mode) ? row.previous_mode : modeOf(row.previous === 1),
    version: row.version,
    actor: { oid: row.actor_oid, name: row.actor_name, upn: row.actor_upn, idp: row.actor_idp },
    via: row.via === 'schedule' ? 'schedule' : 'admin',
    feedback: row.feedback,
    // Rows from before schedule events (schema 2) are changes.
    event: isAuditEvent(row.event) ? row.event : 'change',
    scheduledFor: row.scheduled_for,
  };
}
