import type { Product } from '../catalogue/types';
import { defaultOn, isLocked } from '../model/phases';
import type { Result } from '../model/result';
import type { ToggleValue } from '../model/toggle';
import type { Reason } from './reasons';

/** A read from the store: its value, or the failure with the last value this isolate saw. */
export type Lookup<T> = Result<T, { ok: false; lastSeen: T | undefined }>;

/**
 * The product's state for a tenant, from its own choice, the product's phase (on by default,
 * locked) or, when the store did not answer, the last value seen. `observe`: decide as if on,
 * then pass (`on` is false, so callers that only read `on` pass).
 */
export function toggleState(
  product: Product,
  lookup: Lookup<ToggleValue | null>,
  now: number,
): { on: boolean; observe: boolean; reason: Reason } {
  if (isLocked(product, now)) return { on: true, observe: false, reason: 'locked' };
  if (!lookup.ok) {
    const seen = lookup.lastSeen ?? defaultOn(product, now);
    return { on: seen === true, observe: seen === 'observe', reason: 'store-unavailable' };
  }
  if (lookup.value === null) {
    const on = defaultOn(product, now);
    return { on, observe: false, reason: on ? 'default-on' : 'default-off' };
  }
  if (lookup.value === 'observe')
    return { on: false, observe: true, reason: 'observe-would-redirect' };
  return { on: lookup.value, observe: false, reason: lookup.value ? 'toggle-on' : 'toggle-off' };
}
