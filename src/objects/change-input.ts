import { PRODUCT_IDS } from '../catalogue/types';
import { isToggleMode } from '../store/records';
import type { ChangeRequest } from './types';

const FEEDBACK_MAX_CHARS = 2_000;
const ACTOR_FIELD_MAX_CHARS = 512;

/** Boundary checks: the API validates too, but the object never stores what it cannot read. */
export function invalidChange(r: ChangeRequest): string | null {
  if (typeof r !== 'object' || r === null) return 'change must be an object';
  if (!(PRODUCT_IDS as readonly unknown[]).includes(r.product)) return 'unknown product';
  if (!isToggleMode(r.mode)) return 'mode must be on, off or observe';
  if (typeof r.defaultEnabled !== 'boolean') return 'defaultEnabled must be a boolean';
  if (r.ifMatch !== undefined && !Number.isSafeInteger(r.ifMatch))
    return 'ifMatch must be an integer';
  if (
    r.feedback !== null &&
    (typeof r.feedback !== 'string' || r.feedback.length > FEEDBACK_MAX_CHARS)
  )
    return `feedback must be null or at most ${FEEDBACK_MAX_CHARS} characters`;
  const a = r.actor as unknown as Record<string, unknown> | null;
  if (typeof a !== 'object' || a === null) return 'actor must be an object';
  for (const k of ['oid', 'name', 'upn', 'idp'])
    if (typeof a[k] !== 'string' || (a[k] as string).length > ACTOR_FIELD_MAX_CHARS)
      return `actor.${k} must be a string of at most ${ACTOR_FIELD_MAX_CHARS} characters`;
  return null;
}
