import type { Product } from '../catalogue/types';
import { isLocked } from '../core/decide';
import { applyChange } from './apply-change';
import { scheduleEntryId, type SettingsSql } from './schema';
import type { ScheduleSql } from './schedule-sql';

/**
 * Apply every schedule that is due, each with its deletion in one transaction: a schedule is
 * applied once, whatever restarts or repeats the alarm. A product locked by then is not changed
 * (the schedule is dropped, logged). The caller writes KV afterwards.
 */
export function applyDueSchedules(
  storage: DurableObjectStorage,
  db: SettingsSql,
  scheduled: ScheduleSql,
  products: readonly Product[],
  at: { now: number; retentionMs: number },
): void {
  const tenant = db.meta('tenant') as string;
  for (const due of scheduled.due(at.now)) {
    const product = products.find((p) => p.id === due.product);
    try {
      applyOne();
    } catch (error) {
      // One schedule that cannot apply must not hold up the alarm's other work (KV, retention,
      // the other schedules) through the platform's retries: it is dropped, and said in the log.
      console.error(`scheduled change ${due.id} failed and is dropped: ${String(error)}`);
      scheduled.delete(due.id);
    }
    function applyOne(): void {
      storage.transactionSync(() => {
        if (!scheduled.delete(due.id)) return;
        if (product === undefined || isLocked(product, at.now)) {
          console.warn(`scheduled change ${due.id} dropped: ${due.product} is locked`);
          return;
        }
        applyChange(
          db,
          {
            tenant,
            product: due.product,
            mode: due.mode,
            defaultEnabled: due.defaultEnabled,
            actor: due.actor,
            feedback: null,
          },
          'schedule',
          at.now,
          at.retentionMs,
          scheduleEntryId(due.id, 'change'),
        );
      });
    }
  }
}
