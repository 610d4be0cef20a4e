import { AppError, settingsFailure } from '../errors';
import type { SettingsFailure } from '../errors';
import type { TenantSettings } from '../objects/tenant-settings';
import type {
  AuditResult,
  CancelOutcome,
  ChangeOutcome,
  ExportResult,
  RecordsResult,
  ReportResult,
  ScheduleOutcome,
  SchedulesResult,
} from '../objects/types';
import type { SettingsStore } from './store';

type Stub = DurableObjectStub<TenantSettings>;

/**
 * Call the tenant's object; a failure value becomes the error family, and a call that did not
 * answer (object overloaded or reset, network) is `unavailable`: retry shortly.
 */
async function call<T extends { ok: boolean; error?: string }>(
  stub: Stub,
  run: (stub: Stub) => Promise<T>,
): Promise<Exclude<T, SettingsFailure>> {
  let result: T;
  try {
    result = await run(stub);
  } catch (error) {
    throw new AppError(
      'unavailable',
      'The settings store is busy; try again shortly.',
      { 'Retry-After': '1' },
      `TenantSettings call failed: ${String(error)}`,
    );
  }
  // `gone` is an answer (what became of a schedule), not a failure.
  if (!result.ok && result.error !== 'gone')
    throw settingsFailure(result as unknown as SettingsFailure);
  return result as Exclude<T, SettingsFailure>;
}

/**
 * The settings store over each tenant's TenantSettings object (`idFromName(tenant)`, the tenant
 * id already a lower-case GUID from authorise.ts): the only writer of the tenant's settings.
 * KV stays the edge's read path; the object writes it after each commit.
 */
export function objectSettingsStore(
  namespace: DurableObjectNamespace<TenantSettings>,
): SettingsStore {
  const stub = (tenant: string): Stub => namespace.get(namespace.idFromName(tenant));
  return {
    async records(tenant) {
      const result = await call(stub(tenant), (s) => s.records(tenant) as Promise<RecordsResult>);
      return result.records;
    },
    async change(request) {
      const result = await call(
        stub(request.tenant),
        (s) => s.change(request) as Promise<ChangeOutcome>,
      );
      return { record: result.record, changed: result.changed, kvSynced: result.kvSynced };
    },
    async audit(tenant, query) {
      const page = await call(stub(tenant), (s) => s.audit(tenant, query) as Promise<AuditResult>);
      return { entries: page.entries, cursor: page.cursor };
    },
    async exportAudit(tenant, format) {
      const file = await call(
        stub(tenant),
        (s) => s.exportAudit(tenant, format) as Promise<ExportResult>,
      );
      return { contentType: file.contentType, filename: file.filename, body: file.body };
    },
    async schedule(request) {
      const result = await call(
        stub(request.tenant),
        (s) => s.schedule(request) as Promise<ScheduleOutcome>,
      );
      return result.schedule;
    },
    async schedules(tenant) {
      const result = await call(
        stub(tenant),
        (s) => s.schedules(tenant) as Promise<SchedulesResult>,
      );
      return result.schedules;
    },
    async cancelSchedule(tenant, id, actor) {
      const result = await call(
        stub(tenant),
        (s) => s.cancelSchedule(tenant, id, actor) as Promise<CancelOutcome>,
      );
      return result.ok
        ? { ok: true, cancelled: result.cancelled }
        : { ok: false, fate: result.fate };
    },
    async report(tenant) {
      const result = await call(stub(tenant), (s) => s.report(tenant) as Promise<ReportResult>);
      return result.report;
    },
  };
}
