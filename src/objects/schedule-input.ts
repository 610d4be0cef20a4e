import { isToggleMode } from '../store/records';
import { invalidChange } from './change-input';
import type { ScheduleRequest } from './types';

/** Pending scheduled changes one tenant may hold. */
export const MAX_PENDING_SCHEDULES = 50;
/** How far ahead a change may be scheduled. */
export const MAX_SCHEDULE_AHEAD_MS = 366 * 86_400_000;

/** Boundary checks of a scheduled change: a valid change, at a time far enough ahead. */
export function invalidSchedule(
  r: ScheduleRequest,
  now: number,
  minLeadMs: number,
  pending: number,
): string | null {
  if (typeof r !== 'object' || r === null) return 'schedule must be an object';
  if (!isToggleMode(r.mode)) return 'mode must be on, off or observe';
  const invalid = invalidChange({ ...r, feedback: null });
  if (invalid !== null) return invalid;
  const at = typeof r.at === 'string' ? Date.parse(r.at) : Number.NaN;
  if (!Number.isFinite(at)) return 'at must be an ISO-8601 instant';
  if (at < now + minLeadMs)
    return minLeadMs > 0
      ? `The time must be at least ${Math.ceil(minLeadMs / 1000)} seconds from now.`
      : 'The time must be in the future.';
  if (at > now + MAX_SCHEDULE_AHEAD_MS) return 'The time must be within a year from now.';
  if (pending >= MAX_PENDING_SCHEDULES)
    return `At most ${MAX_PENDING_SCHEDULES} changes can be scheduled; cancel one first.`;
  return null;
}
