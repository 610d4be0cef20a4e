import type { ProductId } from '../catalogue/types';
import type { ScheduledChange } from '../model/changes';
import type { ToggleMode } from '../model/toggle';

/**
 * The scheduled changes table (docs/kv-schema.md), created with the others at start.
 * `default_enabled` is written (the product's default when the change was set) and never read:
 * a change takes the default that holds when it applies. It stays while a Worker version that
 * reads it may still run against this table.
 */
export const SCHEDULE_SCHEMA = `
CREATE TABLE IF NOT EXISTS schedules (
  id TEXT PRIMARY KEY,
  product TEXT NOT NULL,
  mode TEXT NOT NULL,
  at_ms INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  default_enabled INTEGER NOT NULL,
  actor_oid TEXT NOT NULL,
  actor_name TEXT NOT NULL,
  actor_upn TEXT NOT NULL,
  actor_idp TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS schedules_due ON schedules (at_ms);
`;

interface ScheduleRow extends Record<string, SqlStorageValue> {
  id: string;
  product: string;
  mode: string;
  at_ms: number;
  created_at: string;
  default_enabled: number;
  actor_oid: string;
  actor_name: string;
  actor_upn: string;
  actor_idp: string;
}

export interface StoredSchedule extends ScheduledChange {
  atMs: number;
}

/** Typed statements over the `schedules` table. */
export class ScheduleSql {
  constructor(private readonly sql: SqlStorage) {}

  /** `defaultEnabled`: the product's default as the change is set, for older readers only. */
  insert(s: StoredSchedule, defaultEnabled: boolean): void {
    this.sql.exec(
      `INSERT INTO schedules (id, product, mode, at_ms, created_at, default_enabled,
         actor_oid, actor_name, actor_upn, actor_idp) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      s.id,
      s.product,
      s.mode,
      s.atMs,
      s.createdAt,
      defaultEnabled ? 1 : 0,
      s.actor.oid,
      s.actor.name,
      s.actor.upn,
      s.actor.idp,
    );
  }

  /** Pending changes, soonest first. */
  all(): StoredSchedule[] {
    return this.sql
      .exec<ScheduleRow>('SELECT * FROM schedules ORDER BY at_ms, id')
      .toArray()
      .map(storedSchedule);
  }

  due(now: number): StoredSchedule[] {
    return this.sql
      .exec<ScheduleRow>('SELECT * FROM schedules WHERE at_ms <= ? ORDER BY at_ms, id', now)
      .toArray()
      .map(storedSchedule);
  }

  /** Delete a pending change and answer it; `null` when it was not there. */
  take(id: string): StoredSchedule | null {
    const row = this.sql
      .exec<ScheduleRow>('DELETE FROM schedules WHERE id = ? RETURNING *', id)
      .toArray();
    return row[0] ? storedSchedule(row[0]) : null;
  }

  /** `false` when it was not there (applied or cancelled already). */
  delete(id: string): boolean {
    return (
      this.sql.exec('DELETE FROM schedules WHERE id = ? RETURNING id', id).toArray().length > 0
    );
  }

  count(): number {
    return this.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM schedules').one().n;
  }

  nextMs(): number | null {
    return this.sql.exec<{ t: number | null }>('SELECT MIN(at_ms) AS t FROM schedules').one().t;
  }
}

function storedSchedule(row: ScheduleRow): StoredSchedule {
  return {
    id: row.id,
    product: row.product as ProductId,
    mode: row.mode as ToggleMode,
    at: new Date(row.at_ms).toISOString(),
    atMs: row.at_ms,
    createdAt: row.created_at,
    actor: { oid: row.actor_oid, name: row.actor_name, upn: row.actor_upn, idp: row.actor_idp },
  };
}

/** What clients see of a stored schedule. */
export function publicSchedule(s: StoredSchedule): ScheduledChange {
  return {
    id: s.id,
    product: s.product,
    mode: s.mode,
    at: s.at,
    createdAt: s.createdAt,
    actor: s.actor,
  };
}
