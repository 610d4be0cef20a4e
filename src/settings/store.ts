import type { ProductId } from '../catalogue/types';
import type { Actor, AuditExport, AuditPage, AuditQuery, ExportFormat } from '../model/audit';
import type {
  CancelResult,
  ChangeRequest,
  ChangeResult,
  ScheduledChange,
  ScheduleRequest,
} from '../model/changes';
import type { MigrationReport } from '../model/report';
import type { ToggleRecord } from '../model/toggle';

/**
 * What the settings service needs of storage: the tenant's TenantSettings object
 * (object-store.ts) is the implementation. Failures are AppErrors of the one family
 * (errors.ts): 412 precondition_failed, 429 rate_limited, 503 unavailable, 400 invalid_request.
 */
export interface SettingsStore {
  /** Every product the tenant has chosen for (absent: the product's default applies). */
  records(tenant: string): Promise<Partial<Record<ProductId, ToggleRecord>>>;
  /** Apply a change and its audit entry together; setting the current value changes nothing. */
  change(request: ChangeRequest): Promise<ChangeResult>;
  /** A page of the tenant's audit log, newest first. */
  audit(tenant: string, query: AuditQuery): Promise<AuditPage>;
  /** The whole log (within retention) as a file. */
  exportAudit(tenant: string, format: ExportFormat): Promise<AuditExport>;
  /** Set a change for later (applied by the tenant's object at that time). */
  schedule(request: ScheduleRequest): Promise<ScheduledChange>;
  /** Pending scheduled changes, soonest first. */
  schedules(tenant: string): Promise<ScheduledChange[]>;
  /**
   * Cancel a pending change, audited as `actor`'s; one no longer pending answers what became of
   * it (the audit entry of its cancellation or application, if the log has one).
   */
  cancelSchedule(tenant: string, id: string, actor: Actor): Promise<CancelResult>;
  /** The migration report: counts of the edge's decisions, 24 hours and 7 days. */
  report(tenant: string): Promise<MigrationReport>;
}
