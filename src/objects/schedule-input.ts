import type { ScheduleRefusal } from '../model/changes';
import { MAX_PENDING_SCHEDULES, MAX_SCHEDULE_AHEAD_MS } from '../model/limits';

/**
 * What only the object can check of a change for later, against its own clock and table: a
 * time far enough ahead, not too far, and room for one more. Its shape was checked where it
 * entered (model/schemas.ts).
 */
export function invalidSchedule(
  atMs: number,
  now: number,
  minLeadMs: number,
  pending: number,
): { reason: ScheduleRefusal; message: string } | null {
  const refuse = (reason: ScheduleRefusal, message: string) => ({ reason, message });
  if (!Number.isFinite(atMs)) return refuse('no-time', 'at must be an ISO-8601 instant');
  if (atMs < now + minLeadMs)
    return refuse(
      'too-soon',
      minLeadMs > 0
        ? `The time must be at least ${Math.ceil(minLeadMs / 1000)} seconds from now.`
        : 'The time must be in the future.',
    );
  if (atMs > now + MAX_SCHEDULE_AHEAD_MS)
    return refuse('too-far', 'The time must be within a year from now.');
  if (pending >= MAX_PENDING_SCHEDULES)
    return refuse(
      'too-many',
      `At most ${MAX_PENDING_SCHEDULES} changes can be scheduled; cancel one first.`,
    );
  return null;
}
