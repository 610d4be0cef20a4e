import type { Product } from '../catalogue/types';

/**
 * Where a product stands in the move to the unified portal at an instant (its `phases`):
 * `opt-in` (a tenant that never chose stays), `on-by-default` (it moves unless it turned
 * redirection off) or `locked` (everyone moves; no tenant can turn it off).
 */
export type Phase = 'opt-in' | 'on-by-default' | 'locked';

export function phaseAt(product: Product, now: number): Phase {
  const { lockedFrom, onByDefaultFrom } = product.phases;
  if (lockedFrom !== null && now >= Date.parse(lockedFrom)) return 'locked';
  if (onByDefaultFrom !== null && now >= Date.parse(onByDefaultFrom)) return 'on-by-default';
  return 'opt-in';
}

/** Redirection is mandatory: the tenant's choice no longer counts. */
export const isLocked = (product: Product, now: number): boolean =>
  phaseAt(product, now) === 'locked';

/** Whether a tenant that never chose is redirected (locked products move everyone). */
export const defaultOn = (product: Product, now: number): boolean =>
  phaseAt(product, now) !== 'opt-in';
