import { isToggleMode } from '../store/records';
import { invalidChange } from './change-input';
import type { ScheduleRequest } from './types';

/** Pending scheduled changes one tenant may hold. */
export const MAX_PENDING_SCHEDULES = 50;
/** How far ahead a change may be scheduled. */
export const MAX_SCHEDULE_AHEAD_MS = 366 * 86_400_000;

/** Why a scheduled change is refused: a stable code (the pages say each in words) and a message. */
export type ScheduleRefusal = 'invalid' | 'no-time' | 'too-soon' | 'too-far' | 'too-many';

/** Boundary checks of a scheduled change: a valid change, at a time far enough ahead. */
export function invalidSchedule(
  r: ScheduleRequest,
  now: number,
  minLeadMs: number,
  pending: number,
): { reason: ScheduleRefusal; message: string } | null {
  const refuse = (reason: ScheduleRefusal, message: string) => ({ reason, message });
  if (typeof r !== 'object' || r === null) return refuse('invalid', 'schedule must be an object');
  if (!isToggleMode(r.mode)) return refuse('invalid', 'mode must be on, off or observe');
  const invalid = invalidChange({ ...r, feedback: null });
  if (invalid !== null) return refuse('invalid', invalid);
  const at = typeof r.at === 'string' ? Date.parse(r.at) : Number.NaN;
  if (!Number.isFinite(at)) return refuse('no-time', 'at must be an ISO-8601 instant');
  if (at < now + minLeadMs)
    return refuse(
      'too-soon',
      minLeadMs > 0
        ? `The time must be at least ${Math.ceil(minLeadMs / 1000)} seconds from now.`
        : 'The time must be in the future.',
    );
  if (at > now + MAX_SCHEDULE_AHEAD_MS)
    return refuse('too-far', 'The time must be within a year from now.');
  if (pending >= MAX_PENDING_SCHEDULES)
    return refuse(
      'too-many',
      `At most ${MAX_PENDING_SCHEDULES} changes can be scheduled; cancel one first.`,
    );
  return null;
}
