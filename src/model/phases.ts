import type { Product, ProductPhases } from '../catalogue/types';

/**
 * Where a product stands in the move to the unified portal at an instant (its `phases`):
 * `opt-in` (a tenant that never chose stays), `on-by-default` (it moves unless it turned
 * redirection off) or `locked` (everyone moves; no tenant can turn it off).
 */
export const PHASES = ['opt-in', 'on-by-default', 'locked'] as const;
export type Phase = (typeof PHASES)[number];

export function phaseAt(product: Product, now: number): Phase {
  const phases = product.phases;
  // Most products are opt-in with no date: decided without a lookup (this runs per decision).
  if (phases.lockedFrom === null && phases.onByDefaultFrom === null) return 'opt-in';
  const { lockedMs, onByDefaultMs } = instantsOf(phases);
  if (now >= lockedMs) return 'locked';
  if (now >= onByDefaultMs) return 'on-by-default';
  return 'opt-in';
}

/** A product's phase dates as epoch ms (never: +Infinity), read once per phases object. */
const instants = new WeakMap<ProductPhases, { lockedMs: number; onByDefaultMs: number }>();
function instantsOf(phases: ProductPhases): { lockedMs: number; onByDefaultMs: number } {
  let read = instants.get(phases);
  if (read === undefined) {
    const ms = (iso: string | null) => (iso === null ? Number.POSITIVE_INFINITY : Date.parse(iso));
    read = { lockedMs: ms(phases.lockedFrom), onByDefaultMs: ms(phases.onByDefaultFrom) };
    instants.set(phases, read);
  }
  return read;
}

/** Redirection is mandatory: the tenant's choice no longer counts. */
export const isLocked = (product: Product, now: number): boolean =>
  phaseAt(product, now) === 'locked';

/** Whether a tenant that never chose is redirected (locked products move everyone). */
export const defaultOn = (product: Product, now: number): boolean =>
  phaseAt(product, now) !== 'opt-in';
