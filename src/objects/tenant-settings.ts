import { DurableObject } from 'cloudflare:workers';
import type { ProductId } from '../catalogue/types';
import type { Env } from '../config';
import { asTenantId } from '../core/tenant';
import { waitAtMost } from '../lib/async';
import type { Actor, AuditExport, AuditPage, AuditQuery, ExportFormat } from '../model/audit';
import type {
  CancelResult,
  ChangeRequest,
  ChangeResult,
  ScheduledChange,
  ScheduleRequest,
} from '../model/changes';
import type { CountRow, MigrationReport } from '../model/report';
import { type Failure, invalidRequest, ok, type Result } from '../model/result';
import type { ToggleRecord } from '../model/toggle';
import { Changes } from './changes';
import { type SettingsDeps, settingsDeps } from './deps';
import { readLegacyTenant } from './kv-import';
import { KvMirror, type SyncStatus } from './kv-mirror';
import { TokenBucket } from './rate-limit';
import { invalidBatch, ReportSql } from './report-sql';
import { Schedules } from './schedules';
import { ScheduleSql } from './schedule-sql';
import { SettingsSql } from './schema';

const IMPORT_RETRY_AFTER_SECONDS = 5;

/**
 * One tenant's settings (one object per tenant: `idFromName(tenantId)`), the only writer of its
 * toggle records. A thin front: each method checks the tenant once (`open`), hands the work to
 * the part that owns its tables, and sets the one alarm to the earliest time a part asks for.
 * Parts: `Changes` (settings and audit log), `Schedules`, the report's counts (`ReportSql`),
 * `KvMirror` (the edge's copy in KV). Storage layout, alarm and import: docs/kv-schema.md.
 */
export class TenantSettings extends DurableObject<Env> {
  private readonly deps: SettingsDeps;
  private readonly db: SettingsSql;
  private readonly changes: Changes;
  private readonly scheduled: Schedules;
  private readonly counts: ReportSql;
  private readonly mirror: KvMirror;
  private bucket: TokenBucket | null = null;

  constructor(ctx: DurableObjectState, env: Env, deps: SettingsDeps = settingsDeps(env)) {
    super(ctx, env);
    this.deps = deps;
    this.db = new SettingsSql(ctx.storage.sql);
    this.changes = new Changes(ctx.storage, this.db, deps);
    this.scheduled = new Schedules(
      ctx.storage,
      new ScheduleSql(ctx.storage.sql),
      this.changes,
      deps,
    );
    this.counts = new ReportSql(ctx.storage.sql);
    this.mirror = new KvMirror(this.db, deps);
    void ctx.blockConcurrencyWhile(async () => this.db.migrate());
  }

  /** Apply one change and its audit row in one transaction, then write the KV record. */
  async change(request: ChangeRequest): Promise<Result<ChangeResult>> {
    const limited = this.rateLimit();
    if (limited) return limited;
    const closed = await this.open(request.tenant);
    if (closed) return closed;
    const applied = this.changes.apply(request, 'admin');
    if (!applied.ok) return applied;
    if (applied.value.changed) {
      // The answer waits for KV a bounded time only; the write itself stays queued in order (a
      // put abandoned by a timeout could otherwise land after a newer one).
      await waitAtMost(this.mirror.sync(), this.deps.limits.kvWaitMs);
      await this.reschedule();
    }
    return ok({ ...applied.value, kvSynced: this.mirror.synced(request.product) });
  }

  /** Every product the tenant has chosen for (absent: the product's default applies). */
  async records(tenant: string): Promise<Result<Partial<Record<ProductId, ToggleRecord>>>> {
    return (await this.open(tenant)) ?? ok(this.changes.records());
  }

  /** A page of the audit log, newest first. */
  async audit(tenant: string, query: AuditQuery = {}): Promise<Result<AuditPage>> {
    return (await this.open(tenant)) ?? this.changes.page(query);
  }

  /** The whole log (within retention), newest first, as CSV (spreadsheet-safe) or JSON. */
  async exportAudit(tenant: string, format: ExportFormat): Promise<Result<AuditExport>> {
    return (await this.open(tenant)) ?? ok(this.changes.export(tenant, format));
  }

  /** Set a change for later; the alarm applies it then, on behalf of `request.actor`. */
  async schedule(request: ScheduleRequest): Promise<Result<ScheduledChange>> {
    const closed = await this.open(request.tenant);
    if (closed) return closed;
    const added = this.scheduled.add(request, () => this.rateLimit());
    if (added.ok) await this.reschedule();
    return added;
  }

  /** Pending scheduled changes, soonest first. */
  async schedules(tenant: string): Promise<Result<ScheduledChange[]>> {
    return (await this.open(tenant)) ?? ok(this.scheduled.pending());
  }

  /** Cancel a pending change, audited as `actor`'s; one no longer pending says its fate. */
  async cancelSchedule(tenant: string, id: string, actor: Actor): Promise<Result<CancelResult>> {
    const closed = await this.open(tenant);
    if (closed) return closed;
    const result = this.scheduled.cancel(id, actor);
    if (result.ok) await this.reschedule();
    return ok(result);
  }

  /**
   * Add a batch of the edge's counts (the migration report). No import from KV is needed for
   * counts, so a flush costs one transaction; a refused batch stores nothing.
   */
  async recordCounts(tenant: string, rows: CountRow[]): Promise<Result<number>> {
    const closed = await this.open(tenant, { importFirst: false });
    if (closed) return closed;
    const now = this.deps.clock();
    const invalid = invalidBatch(rows, now);
    if (invalid !== null) return invalidRequest(invalid);
    this.ctx.storage.transactionSync(() => {
      if (this.db.meta('tenant') === null) this.db.setMeta('tenant', tenant);
      this.counts.add(rows, now);
    });
    return ok(rows.length);
  }

  /** The migration report: the last 24 hours and 7 days, by hour and by day. */
  async report(tenant: string): Promise<Result<MigrationReport>> {
    return (
      (await this.open(tenant, { importFirst: false })) ?? ok(this.counts.report(this.deps.clock()))
    );
  }

  /** Whether KV lags the object, and when the alarm runs next. */
  async syncStatus(tenant: string): Promise<Result<SyncStatus>> {
    const closed = await this.open(tenant, { importFirst: false });
    return closed ?? ok(this.mirror.status(await this.ctx.storage.getAlarm()));
  }

  /** Apply due scheduled changes, re-write lagging KV records (with backoff) and enforce retention. */
  override async alarm(): Promise<void> {
    const tenant = this.db.meta('tenant');
    if (tenant === null) return;
    this.scheduled.applyDue(tenant);
    await this.mirror.sync();
    this.changes.prune();
    await this.reschedule();
  }

  /**
   * Import what today's KV store holds for the tenant, once (first use; docs/kv-schema.md).
   * Idempotent: records the object already holds and audit ids it already has are kept.
   */
  async importFromKv(tenant: string): Promise<Result<{ records: number; entries: number }>> {
    const closed = await this.open(tenant, { importFirst: false });
    if (closed) return closed;
    const legacy = await readLegacyTenant(this.deps.kv, tenant, this.deps.limits.kvReadTimeoutMs);
    const summary = this.ctx.storage.transactionSync(() => {
      const { records, entries } = this.changes.importLegacy(legacy);
      this.db.setMeta('tenant', tenant);
      if (this.db.meta('imported_at') === null) {
        this.db.setMeta('imported_at', new Date(this.deps.clock()).toISOString());
        this.db.setMeta('import_summary', JSON.stringify({ records, entries }));
      }
      return { records, entries };
    });
    await this.reschedule();
    return ok(summary);
  }

  /**
   * The one tenant check: a lower-case GUID, and this object's own tenant (a stub for another
   * tenant's id is a wiring bug: refused loudly, tenants never mixed). Then, on first use, the
   * import from KV, under blockConcurrencyWhile so no change is applied before its state is in
   * place; a failed import answers `unavailable` and writes nothing.
   */
  private async open(
    tenant: string,
    { importFirst } = { importFirst: true },
  ): Promise<Failure | null> {
    if (asTenantId(tenant) !== tenant) return invalidRequest('tenant must be a lower-case GUID');
    const owner = this.db.meta('tenant');
    if (owner !== null && owner !== tenant)
      throw new Error('TenantSettings: this object belongs to another tenant');
    if (!importFirst || this.db.meta('imported_at') !== null) return null;
    let failed = false;
    await this.ctx.blockConcurrencyWhile(async () => {
      if (this.db.meta('imported_at') !== null) return;
      const imported = await this.importFromKv(tenant).catch((error: unknown) => {
        console.warn(`TenantSettings import for ${tenant} failed: ${String(error)}`);
        return null;
      });
      failed = imported?.ok !== true;
    });
    return failed
      ? { ok: false, error: 'unavailable', retryAfterSeconds: IMPORT_RETRY_AFTER_SECONDS }
      : null;
  }

  /** Writes per tenant (a token bucket, in memory: an evicted object starts full). */
  private rateLimit(): Failure | null {
    const perMinute = this.deps.limits.writesPerMinute;
    if (this.bucket?.perMinute !== perMinute)
      this.bucket = new TokenBucket(perMinute, this.deps.clock());
    const retryAfterSeconds = this.bucket.take(this.deps.clock());
    return retryAfterSeconds > 0 ? { ok: false, error: 'rate_limited', retryAfterSeconds } : null;
  }

  /** One alarm serves every part: the earliest time any of them asks for. */
  private async reschedule(): Promise<void> {
    const now = this.deps.clock();
    const times = [
      this.mirror.nextAlarm(now),
      this.changes.nextAlarm(now),
      this.scheduled.nextAlarm(now),
    ].filter((t): t is number => t !== null);
    const next = times.length > 0 ? Math.min(...times) : null;
    const current = await this.ctx.storage.getAlarm();
    if (next === null) {
      if (current !== null) await this.ctx.storage.deleteAlarm();
    } else if (current !== next) await this.ctx.storage.setAlarm(next);
  }
}
