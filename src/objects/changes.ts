import type { ProductId } from '../catalogue/types';
import type { AuditEntry, AuditPage, AuditQuery, ExportFormat, AuditExport } from '../model/audit';
import type { ChangeRequest, ChangeResult } from '../model/changes';
import { DEFAULT_AUDIT_PAGE } from '../model/limits';
import { invalidRequest, ok, type Result } from '../model/result';
import { currentMode } from '../model/state';
import type { ToggleMode, ToggleRecord } from '../model/toggle';
import type { LegacyTenant } from './kv-import';
import { exportBody } from './audit-export';
import { after, auditFilter, decodeCursor, encodeCursor } from './audit-query';
import { productOf, type SettingsDeps } from './deps';
import { auditEntryOf, scheduleEntryId, type SettingsSql } from './schema';

const EXPORT_PAGE_ROWS = 500;

/** A change as this part applies it: the admin's own, or a scheduled one on their behalf. */
export type Applied = Result<Omit<ChangeResult, 'kvSynced'>>;

/**
 * The tenant's settings and their audit log (the `toggles` and `audit` tables): changes with
 * their audit rows, the log's pages and export, and its retention. Its alarm: when the oldest
 * row expires.
 */
export class Changes {
  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly db: SettingsSql,
    private readonly deps: SettingsDeps,
  ) {}

  /**
   * One change and its audit row in one transaction, against the version the admin saw
   * (`ifMatch`). Setting the mode the tenant already chose writes nothing; a tenant's first
   * choice is stored even when it is the product's default today, because the default moves with
   * the product's phases (an "off" chosen before the product turns on by default stays off).
   * `entryId`: a scheduled change's application has one derived from the schedule.
   */
  apply(
    request: ChangeRequest,
    via: AuditEntry['via'],
    entryId: string = crypto.randomUUID(),
  ): Applied {
    const now = this.deps.clock();
    return this.storage.transactionSync(() => {
      const { stored, version, mode } = this.current(request.product, now);
      if (request.ifMatch !== undefined && request.ifMatch !== version)
        return { ok: false, error: 'precondition_failed', current: version } as const;
      if (stored !== null && mode === request.mode) return ok({ record: stored, changed: false });
      const at = new Date(now).toISOString();
      const entry: AuditEntry = {
        id: entryId,
        at,
        product: request.product,
        enabled: request.mode === 'on',
        previous: mode === 'on',
        mode: request.mode,
        previousMode: mode,
        version: version + 1,
        actor: request.actor,
        via,
        // Feedback is asked for when turning redirection off only.
        feedback: request.mode === 'off' ? request.feedback : null,
        event: 'change',
        scheduledFor: null,
      };
      const record: ToggleRecord = {
        enabled: request.mode === 'on',
        mode: request.mode,
        version: entry.version,
        changedAt: at,
        changedBy: { oid: request.actor.oid, name: request.actor.name },
        lastChange: entry,
      };
      this.db.insertAudit(entry, 'object');
      this.db.putToggle(request.product, record);
      this.prune();
      return ok({ record, changed: true });
    });
  }

  /**
   * Audit what a schedule did (set or cancelled: the setting is unchanged, `mode` is the one
   * scheduled), inside the caller's transaction. The entry's id is the schedule's, so what
   * became of it can be found (`fate`).
   */
  auditSchedule(
    schedule: { id: string; product: ProductId; mode: AuditEntry['mode']; at: string },
    event: 'schedule-created' | 'schedule-cancelled',
    actor: AuditEntry['actor'],
  ): void {
    const now = this.deps.clock();
    const { version, mode } = this.current(schedule.product, now);
    this.db.insertAudit(
      {
        id: scheduleEntryId(schedule.id, event),
        at: new Date(now).toISOString(),
        product: schedule.product,
        enabled: mode === 'on',
        previous: mode === 'on',
        mode: schedule.mode,
        previousMode: mode,
        version,
        actor,
        via: 'admin',
        feedback: null,
        event,
        scheduledFor: schedule.at,
      },
      'object',
    );
  }

  /** What became of a schedule no longer pending (its cancellation or its application). */
  fate(scheduleId: string): AuditEntry | null {
    return this.db.scheduleFate(scheduleId);
  }

  /** Every product the tenant has chosen for (absent: the product's default applies). */
  records(): Partial<Record<ProductId, ToggleRecord>> {
    const records: Partial<Record<ProductId, ToggleRecord>> = {};
    for (const t of this.db.toggles()) records[t.product] = t.record;
    return records;
  }

  /** A page of the log, newest first. */
  page(query: AuditQuery): Result<AuditPage> {
    const limit = query.limit ?? DEFAULT_AUDIT_PAGE;
    let filter = auditFilter(query, this.cutoff());
    if (query.cursor !== undefined) {
      const from = decodeCursor(query.cursor);
      if (from === null) return invalidRequest('The cursor is not valid; start again without one.');
      filter = after(filter, from.atMs, from.seq);
    }
    const rows = this.db.auditPage(filter.where, filter.bindings, limit + 1);
    const shown = rows.slice(0, limit);
    const last = shown[shown.length - 1];
    return ok({
      entries: shown.map(auditEntryOf),
      cursor: rows.length > limit && last ? encodeCursor(last.at_ms, last.seq) : null,
    });
  }

  /** The whole log (within retention), newest first, as CSV (spreadsheet-safe) or JSON. */
  export(tenant: string, format: ExportFormat): AuditExport {
    const filter = auditFilter({}, this.cutoff());
    const entries: AuditEntry[] = [];
    let page = filter;
    for (;;) {
      const rows = this.db.auditPage(page.where, page.bindings, EXPORT_PAGE_ROWS);
      for (const row of rows) entries.push(auditEntryOf(row));
      const last = rows[rows.length - 1];
      if (last === undefined || rows.length < EXPORT_PAGE_ROWS) break;
      page = after(filter, last.at_ms, last.seq);
    }
    return { rows: entries.length, ...exportBody(tenant, entries, format, this.deps.clock()) };
  }

  /**
   * Take what today's KV store held (`kv-import.ts`), inside the caller's transaction: records
   * the tenant has no row for, audit entries within retention it does not hold yet. Returns how
   * many of each were added.
   */
  importLegacy(legacy: LegacyTenant): { records: number; entries: number } {
    const cutoff = this.cutoff();
    let records = 0;
    let entries = 0;
    for (const [product, record] of legacy.records)
      if (this.db.insertToggleIfAbsent(product, record)) records++;
    for (const entry of legacy.entries)
      if (Date.parse(entry.at) >= cutoff && this.db.insertAudit(entry, 'kv-import')) entries++;
    return { records, entries };
  }

  /** Delete rows past retention. */
  prune(): void {
    this.db.pruneAudit(this.cutoff());
  }

  /** When the oldest row expires, or `null` for an empty log. */
  nextAlarm(now: number): number | null {
    const oldest = this.db.oldestAuditMs();
    return oldest === null ? null : Math.max(now, oldest + this.deps.limits.auditRetentionMs);
  }

  private cutoff(): number {
    return this.deps.clock() - this.deps.limits.auditRetentionMs;
  }

  /** The product's stored record (if any), its version and the mode in force at `now`. */
  private current(
    product: ProductId,
    now: number,
  ): { stored: ToggleRecord | null; version: number; mode: ToggleMode } {
    const row = this.db.toggle(product);
    const stored = row?.record ?? null;
    return {
      stored,
      version: row?.version ?? 0,
      mode: currentMode(productOf(this.deps, product), stored, now),
    };
  }
}
