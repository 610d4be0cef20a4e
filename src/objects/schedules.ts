import { productById } from '../catalogue/products';
import type { Actor } from '../model/audit';
import type { CancelResult, ScheduledChange, ScheduleRequest } from '../model/changes';
import { defaultOn, isLocked } from '../model/phases';
import { type Failure, invalidRequest, ok, type Result } from '../model/result';
import type { Changes } from './changes';
import { productOf, type SettingsDeps } from './deps';
import { scheduleEntryId } from './schema';
import { invalidSchedule } from './schedule-input';
import { publicSchedule, type ScheduleSql } from './schedule-sql';

/**
 * Changes set for later (the `schedules` table): set and cancelled with their audit rows,
 * applied by the alarm on behalf of the admin who set them. Its alarm: the next one due.
 */
export class Schedules {
  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly table: ScheduleSql,
    private readonly changes: Changes,
    private readonly deps: SettingsDeps,
  ) {}

  /**
   * Set a change for later, audited as `request.actor`'s. `admit` is asked once the change is
   * known to be valid (a refused one costs the tenant no write).
   */
  add(request: ScheduleRequest, admit: () => Failure | null): Result<ScheduledChange> {
    const now = this.deps.clock();
    const atMs = Date.parse(request.at);
    const refused = invalidSchedule(
      atMs,
      now,
      this.deps.limits.scheduleMinLeadMs,
      this.table.count(),
    );
    if (refused !== null) return invalidRequest(refused.message, refused.reason);
    const limited = admit();
    if (limited !== null) return limited;
    const stored = {
      id: crypto.randomUUID(),
      product: request.product,
      mode: request.mode,
      at: new Date(atMs).toISOString(),
      atMs,
      createdAt: new Date(now).toISOString(),
      actor: request.actor,
    };
    this.storage.transactionSync(() => {
      this.table.insert(stored, defaultOn(productOf(this.deps, request.product), now));
      this.changes.auditSchedule(stored, 'schedule-created', request.actor);
    });
    return ok(publicSchedule(stored));
  }

  /** Pending changes, soonest first. */
  pending(): ScheduledChange[] {
    return this.table.all().map(publicSchedule);
  }

  /**
   * Cancel a pending change, audited as `actor`'s. One already applied or cancelled answers what
   * became of it (who cancelled it, when it applied).
   */
  cancel(id: string, actor: Actor): CancelResult {
    const cancelled = this.storage.transactionSync(() => {
      const found = this.table.take(id);
      if (found === null) return null;
      this.changes.auditSchedule(found, 'schedule-cancelled', actor);
      return found;
    });
    return cancelled === null
      ? { ok: false, fate: this.changes.fate(id) }
      : { ok: true, cancelled: publicSchedule(cancelled) };
  }

  /**
   * Apply every schedule that is due, each with its deletion in one transaction: a schedule is
   * applied once, whatever restarts or repeats the alarm. A product locked by then is not changed
   * (the schedule is dropped, logged). The caller writes KV afterwards.
   */
  applyDue(tenant: string): void {
    const now = this.deps.clock();
    for (const due of this.table.due(now)) {
      try {
        this.storage.transactionSync(() => {
          if (!this.table.delete(due.id)) return;
          const product = productById(due.product, this.deps.products);
          if (product === undefined || isLocked(product, now)) {
            console.warn(`scheduled change ${due.id} dropped: ${due.product} is locked`);
            return;
          }
          const applied = this.changes.apply(
            { tenant, product: due.product, mode: due.mode, actor: due.actor, feedback: null },
            'schedule',
            scheduleEntryId(due.id, 'change'),
          );
          if (!applied.ok) throw new Error(`change refused: ${applied.error}`);
        });
      } catch (error) {
        // One schedule that cannot apply must not hold up the alarm's other work (KV, retention,
        // the other schedules) through the platform's retries: it is dropped, and said in the log.
        console.error(`scheduled change ${due.id} failed and is dropped: ${String(error)}`);
        this.table.delete(due.id);
      }
    }
  }

  /** When the next pending change is due, or `null` for none. */
  nextAlarm(now: number): number | null {
    const next = this.table.nextMs();
    return next === null ? null : Math.max(now, next);
  }
}
