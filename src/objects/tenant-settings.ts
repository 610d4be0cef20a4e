import { DurableObject } from 'cloudflare:workers';
import type { Product, ProductId } from '../catalogue/types';
import { asTenantId } from '../core/tenant';
import type { Actor, AuditEntry, ToggleMode, ToggleRecord } from '../store/records';
import { applyChange } from './apply-change';
import { keys, modeOf } from '../store/records';
import { exportBody } from './audit-export';
import { invalidChange } from './change-input';
import type { Env, SettingsConfig } from '../config';
import { loadConfig } from '../config';
import { readLegacyTenant } from './kv-import';
import { TokenBucket } from './rate-limit';
import { auditEntryOf, scheduleEntryId, SettingsSql } from './schema';
import { after, auditFilter, decodeCursor, encodeCursor } from './audit-query';
import { invalidBatch, ReportSql } from './report-sql';
import { applyDueSchedules } from './schedule-apply';
import { invalidSchedule, type ScheduleRefusal } from './schedule-input';
import { publicSchedule, ScheduleSql } from './schedule-sql';
import type {
  AuditQuery,
  AuditResult,
  CancelOutcome,
  ScheduleOutcome,
  ScheduleRequest,
  SchedulesResult,
  ChangeOutcome,
  ChangeRequest,
  CountRow,
  CountsOutcome,
  ReportResult,
  ExportFormat,
  ExportResult,
  Failure,
  RecordsResult,
  SyncStatus,
} from './types';

const KV_RETRY_FIRST_MS = 1_000;
const KV_RETRY_MAX_MS = 5 * 60_000;
const DEFAULT_AUDIT_PAGE = 50;
const MAX_AUDIT_PAGE = 200;
const EXPORT_PAGE_ROWS = 500;
const IMPORT_RETRY_AFTER_SECONDS = 5;

/**
 * One tenant's settings (one object per tenant: `idFromName(tenantId)`), the only writer of its
 * toggle records. SQLite holds the state and the audit log; KV holds a copy of each record for
 * the edge, written after every commit and re-written by the alarm until it lands. Storage
 * layout, alarm and import: docs/kv-schema.md.
 */
export class TenantSettings extends DurableObject<Env> {
  /** The namespace KV records are written to: a seam tests wrap to inject faults. */
  kv: KVNamespace;
  /** From the composition root (this object's isolate loads it too); tests may replace it. */
  config: SettingsConfig;
  /** Bound on each KV read of the first-use import (KV_READ_TIMEOUT_MS); tests may replace it. */
  kvReadTimeoutMs: number;
  /** The catalogue with its locks: a schedule never changes a product locked by then. */
  products: readonly Product[];
  /** The object's clock (epoch ms): leads, buckets, retention. Tests set their own time. */
  clock: () => number = Date.now;
  private readonly db: SettingsSql;
  private readonly scheduled: ScheduleSql;
  private readonly counts: ReportSql;
  private bucket: TokenBucket | null = null;
  // KV writes run one at a time so that an older record can never land after a newer one.
  private kvChain: Promise<unknown> = Promise.resolve();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.kv = env.TOGGLES;
    const config = loadConfig(env);
    this.config = config.settings;
    this.kvReadTimeoutMs = config.kvReadTimeoutMs;
    this.products = config.products;
    this.db = new SettingsSql(ctx.storage.sql);
    this.scheduled = new ScheduleSql(ctx.storage.sql);
    this.counts = new ReportSql(ctx.storage.sql);
    void ctx.blockConcurrencyWhile(async () => this.db.migrate());
  }

  /** Apply one change and its audit row in one transaction, then write the KV record. */
  async change(request: ChangeRequest): Promise<ChangeOutcome> {
    const invalid = invalidChange(request);
    if (invalid !== null) return { ok: false, error: 'invalid_request', message: invalid };
    const retryAfterSeconds = this.writeBucket().take(this.clock());
    if (retryAfterSeconds > 0) return { ok: false, error: 'rate_limited', retryAfterSeconds };
    const notReady = await this.ready(request.tenant);
    if (notReady) return notReady;

    const now = this.clock();
    const result = this.ctx.storage.transactionSync(() =>
      applyChange(this.db, request, 'admin', now, this.config.auditRetentionMs),
    );
    if (!result.ok) return result;
    if (result.changed) {
      // The response waits for KV a bounded time only; the write itself stays queued in order
      // (a put abandoned by a timeout could otherwise land after a newer one).
      await waitAtMost(this.syncKv(), this.config.kvWaitMs);
      await this.reschedule();
    }
    const stored = this.db.toggle(request.product);
    return { ...result, kvSynced: stored === null || stored.kvVersion >= stored.version };
  }

  /** Every product the tenant has chosen for (absent: the catalogue default applies). */
  async records(tenant: string): Promise<RecordsResult> {
    const notReady = await this.ready(tenant);
    if (notReady) return notReady;
    const records: Partial<Record<ProductId, ToggleRecord>> = {};
    for (const t of this.db.toggles()) records[t.product] = t.record;
    return { ok: true, records };
  }

  /** A page of the audit log, newest first. */
  async audit(tenant: string, query: AuditQuery = {}): Promise<AuditResult> {
    const notReady = await this.ready(tenant);
    if (notReady) return notReady;
    const limit = query.limit ?? DEFAULT_AUDIT_PAGE;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_AUDIT_PAGE)
      return invalidRequest(`limit must be an integer from 1 to ${MAX_AUDIT_PAGE}`);
    const filter = auditFilter(query, this.clock() - this.config.auditRetentionMs);
    if (typeof filter === 'string') return invalidRequest(filter);
    let page = filter;
    if (query.cursor !== undefined) {
      const from = decodeCursor(query.cursor);
      if (from === null) return invalidRequest('The cursor is not valid; start again without one.');
      page = after(filter, from.atMs, from.seq);
    }
    const rows = this.db.auditPage(page.where, page.bindings, limit + 1);
    const shown = rows.slice(0, limit);
    const last = shown[shown.length - 1];
    return {
      ok: true,
      entries: shown.map(auditEntryOf),
      cursor: rows.length > limit && last ? encodeCursor(last.at_ms, last.seq) : null,
    };
  }

  /** The whole log (within retention), newest first, as CSV (spreadsheet-safe) or JSON. */
  async exportAudit(tenant: string, format: ExportFormat): Promise<ExportResult> {
    if (format !== 'csv' && format !== 'json') return invalidRequest('format must be csv or json');
    const notReady = await this.ready(tenant);
    if (notReady) return notReady;
    const filter = auditFilter({}, this.clock() - this.config.auditRetentionMs);
    if (typeof filter === 'string') return invalidRequest(filter);
    const entries: AuditEntry[] = [];
    let page = filter;
    for (;;) {
      const rows = this.db.auditPage(page.where, page.bindings, EXPORT_PAGE_ROWS);
      for (const row of rows) entries.push(auditEntryOf(row));
      const last = rows[rows.length - 1];
      if (last === undefined || rows.length < EXPORT_PAGE_ROWS) break;
      page = after(filter, last.at_ms, last.seq);
    }
    return { ok: true, rows: entries.length, ...exportBody(tenant, entries, format) };
  }

  /** Set a change for later; the alarm applies it then, on behalf of `request.actor`. */
  async schedule(request: ScheduleRequest): Promise<ScheduleOutcome> {
    const now = this.clock();
    const invalid = invalidSchedule(
      request,
      now,
      this.config.scheduleMinLeadMs,
      this.scheduled.count(),
    );
    if (invalid !== null) return invalidRequest(invalid.message, invalid.reason);
    const retryAfterSeconds = this.writeBucket().take(now);
    if (retryAfterSeconds > 0) return { ok: false, error: 'rate_limited', retryAfterSeconds };
    const notReady = await this.ready(request.tenant);
    if (notReady) return notReady;
    const atMs = Date.parse(request.at);
    const stored = {
      id: crypto.randomUUID(),
      product: request.product,
      mode: request.mode,
      at: new Date(atMs).toISOString(),
      atMs,
      createdAt: new Date(now).toISOString(),
      defaultEnabled: request.defaultEnabled,
      actor: request.actor,
    };
    this.ctx.storage.transactionSync(() => {
      this.scheduled.insert(stored);
      this.db.insertAudit(
        scheduleEvent(this.db, stored, 'schedule-created', request.actor, now),
        'object',
      );
    });
    await this.reschedule();
    return { ok: true, schedule: publicSchedule(stored) };
  }

  /** Pending scheduled changes, soonest first. */
  async schedules(tenant: string): Promise<SchedulesResult> {
    const notReady = await this.ready(tenant);
    if (notReady) return notReady;
    return { ok: true, schedules: this.scheduled.all().map(publicSchedule) };
  }

  /**
   * Cancel a pending change, audited as `actor`'s. One already applied or cancelled is `gone`,
   * with the audit entry that says what became of it (who cancelled it, when it applied).
   */
  async cancelSchedule(tenant: string, id: string, actor: Actor): Promise<CancelOutcome> {
    const notReady = await this.ready(tenant);
    if (notReady) return notReady;
    if (typeof id !== 'string' || id.length > 64) return { ok: false, error: 'gone', fate: null };
    const cancelled = this.ctx.storage.transactionSync(() => {
      const found = this.scheduled.get(id);
      if (found === null || !this.scheduled.delete(found.id)) return null;
      this.db.insertAudit(
        scheduleEvent(this.db, found, 'schedule-cancelled', actor, this.clock()),
        'object',
      );
      return found;
    });
    if (cancelled === null) return { ok: false, error: 'gone', fate: this.db.scheduleFate(id) };
    await this.reschedule();
    return { ok: true, cancelled: publicSchedule(cancelled) };
  }

  /**
   * Add a batch of the edge's counts (the migration report). No import from KV is needed for
   * counts, so a flush costs one transaction; a refused batch stores nothing.
   */
  async recordCounts(tenant: string, rows: CountRow[]): Promise<CountsOutcome> {
    if (asTenantId(tenant) !== tenant) return invalidRequest('tenant must be a lower-case GUID');
    this.assertTenant(tenant);
    const now = this.clock();
    const invalid = invalidBatch(rows, now);
    if (invalid !== null) return invalidRequest(invalid);
    this.ctx.storage.transactionSync(() => {
      if (this.db.meta('tenant') === null) this.db.setMeta('tenant', tenant);
      this.counts.add(rows, now);
    });
    return { ok: true, rows: rows.length };
  }

  /** The migration report: the last 24 hours and 7 days, and the last 24 hours by hour. */
  async report(tenant: string): Promise<ReportResult> {
    if (asTenantId(tenant) !== tenant) return invalidRequest('tenant must be a lower-case GUID');
    this.assertTenant(tenant);
    return { ok: true, report: this.counts.report(this.clock()) };
  }

  /** Whether KV lags the object, and when the alarm runs next. */
  async syncStatus(tenant: string): Promise<SyncStatus> {
    this.assertTenant(tenant);
    return {
      pending: this.db.pendingKv().map((t) => t.product),
      attempts: Number(this.db.meta('kv_attempts') ?? 0),
      alarmAt: await this.ctx.storage.getAlarm(),
    };
  }

  /** Apply due scheduled changes, re-write lagging KV records (with backoff) and enforce retention. */
  override async alarm(): Promise<void> {
    if (this.db.meta('tenant') === null) return;
    applyDueSchedules(this.ctx.storage, this.db, this.scheduled, this.products, {
      now: this.clock(),
      retentionMs: this.config.auditRetentionMs,
    });
    await this.syncKv();
    this.db.pruneAudit(this.clock() - this.config.auditRetentionMs);
    await this.reschedule();
  }

  /**
   * First use: import what today's KV store holds for the tenant, once. Runs under
   * blockConcurrencyWhile so no change is applied before the import's state is in place.
   */
  private async ready(tenant: string): Promise<Failure | null> {
    if (asTenantId(tenant) !== tenant) return invalidRequest('tenant must be a lower-case GUID');
    this.assertTenant(tenant);
    if (this.db.meta('imported_at') !== null) return null;
    let failed = false;
    await this.ctx.blockConcurrencyWhile(async () => {
      if (this.db.meta('imported_at') !== null) return;
      try {
        await this.importFromKv(tenant);
      } catch (error) {
        console.warn(`TenantSettings import for ${tenant} failed: ${String(error)}`);
        failed = true;
      }
    });
    return failed
      ? { ok: false, error: 'unavailable', retryAfterSeconds: IMPORT_RETRY_AFTER_SECONDS }
      : null;
  }

  /** Idempotent: records the object already holds and audit ids it already has are kept. */
  async importFromKv(tenant: string): Promise<{ records: number; entries: number }> {
    if (asTenantId(tenant) !== tenant) throw new Error('TenantSettings: tenant must be a GUID');
    this.assertTenant(tenant);
    const legacy = await readLegacyTenant(this.kv, tenant, this.kvReadTimeoutMs);
    const cutoff = this.clock() - this.config.auditRetentionMs;
    const summary = this.ctx.storage.transactionSync(() => {
      let records = 0;
      let entries = 0;
      for (const [product, record] of legacy.records)
        if (this.db.insertToggleIfAbsent(product, record)) records++;
      for (const entry of legacy.entries)
        if (Date.parse(entry.at) >= cutoff && this.db.insertAudit(entry, 'kv-import')) entries++;
      this.db.setMeta('tenant', tenant);
      if (this.db.meta('imported_at') === null) {
        this.db.setMeta('imported_at', new Date().toISOString());
        this.db.setMeta('import_summary', JSON.stringify({ records, entries }));
      }
      return { records, entries };
    });
    await this.reschedule();
    return summary;
  }

  private writeBucket(): TokenBucket {
    if (this.bucket?.perMinute !== this.config.writesPerMinute)
      this.bucket = new TokenBucket(this.config.writesPerMinute, this.clock());
    return this.bucket;
  }

  private assertTenant(tenant: string): void {
    const owner = this.db.meta('tenant');
    // A stub for another tenant's id is a wiring bug: refuse loudly, never mix tenants.
    if (owner !== null && owner !== tenant)
      throw new Error('TenantSettings: this object belongs to another tenant');
  }

  /** Write every lagging record to KV; queued behind any write already under way. */
  private syncKv(): Promise<void> {
    const run = this.kvChain.then(() => this.writePending());
    this.kvChain = run.catch(() => undefined);
    return run;
  }

  private async writePending(): Promise<void> {
    const tenant = this.db.meta('tenant');
    if (tenant === null) return;
    let failed = 0;
    for (const t of this.db.pendingKv()) {
      try {
        await this.kv.put(keys.toggle(tenant, t.product), t.raw);
        this.db.markKvWritten(t.product, t.version);
      } catch (error) {
        failed++;
        console.warn(`KV write of ${t.product} v${t.version} deferred: ${String(error)}`);
      }
    }
    const attempts = Number(this.db.meta('kv_attempts') ?? 0);
    if (failed > 0) this.db.setMeta('kv_attempts', String(attempts + 1));
    else if (attempts > 0) this.db.setMeta('kv_attempts', '0');
  }

  /**
   * One alarm serves every job: the next KV retry (if any lags), the oldest row's expiry and the
   * next scheduled change.
   */
  private async reschedule(): Promise<void> {
    const now = this.clock();
    const times: number[] = [];
    if (this.db.pendingKv().length > 0) {
      const attempts = Math.max(1, Number(this.db.meta('kv_attempts') ?? 1));
      times.push(now + Math.min(KV_RETRY_MAX_MS, KV_RETRY_FIRST_MS * 2 ** (attempts - 1)));
    }
    const oldest = this.db.oldestAuditMs();
    if (oldest !== null) times.push(Math.max(now, oldest + this.config.auditRetentionMs));
    const scheduled = this.scheduled.nextMs();
    if (scheduled !== null) times.push(Math.max(now, scheduled));
    const next = times.length > 0 ? Math.min(...times) : null;
    const current = await this.ctx.storage.getAlarm();
    if (next === null) {
      if (current !== null) await this.ctx.storage.deleteAlarm();
    } else if (current !== next) await this.ctx.storage.setAlarm(next);
  }
}

async function waitAtMost(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  await Promise.race([work.catch(() => undefined), timeout]);
  if (timer !== undefined) clearTimeout(timer);
}

/**
 * The audit entry of a scheduled change set or cancelled: the setting is unchanged (its current
 * mode and version), `mode` is the one scheduled, and the id is the schedule's, so what became of
 * a schedule can be found (`SettingsSql.scheduleFate`).
 */
function scheduleEvent(
  db: SettingsSql,
  schedule: {
    id: string;
    product: ProductId;
    mode: ToggleMode;
    at: string;
    defaultEnabled: boolean;
  },
  event: 'schedule-created' | 'schedule-cancelled',
  actor: Actor,
  now: number,
): AuditEntry {
  const current = db.toggle(schedule.product);
  const mode = current?.record.mode ?? modeOf(schedule.defaultEnabled);
  return {
    id: scheduleEntryId(schedule.id, event),
    at: new Date(now).toISOString(),
    product: schedule.product,
    enabled: mode === 'on',
    previous: mode === 'on',
    mode: schedule.mode,
    previousMode: mode,
    version: current?.version ?? 0,
    actor,
    via: 'admin',
    feedback: null,
    event,
    scheduledFor: schedule.at,
  };
}

function invalidRequest(message: string, reason?: ScheduleRefusal): Failure {
  return { ok: false, error: 'invalid_request', message, ...(reason ? { reason } : {}) };
}
