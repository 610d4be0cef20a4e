import type { Product } from '../catalogue/types';
import { type Phase, phaseAt } from '../model/phases';
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
  /** The product's phase at `now`, when the caller has it already. */
  phase: Phase = phaseAt(product, now),
): { on: boolean; observe: boolean; reason: Reason } {
  if (phase === 'locked') return { on: true, observe: false, reason: 'locked' };
  // Not locked: on by default, or opt-in.
  const byDefault = phase === 'on-by-default';
  if (!lookup.ok) {
    const seen = lookup.lastSeen ?? byDefault;
    return { on: seen === true, observe: seen === 'observe', reason: 'store-unavailable' };
  }
  if (lookup.value === null)
    return { on: byDefault, observe: false, reason: byDefault ? 'default-on' : 'default-off' };
  if (lookup.value === 'observe')
    return { on: false, observe: true, reason: 'observe-would-redirect' };
  return { on: lookup.value, observe: false, reason: lookup.value ? 'toggle-on' : 'toggle-off' };
}
