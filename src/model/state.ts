import type { Product, ProductId } from '../catalogue/types';
import { defaultOn, type Phase, phaseAt } from './phases';
import type { ToggleMode, ToggleRecord } from './toggle';
import { modeOf } from './toggle';

/** What admins see of one product for their tenant (the settings API's ProductState). */
export interface ProductState {
  product: ProductId;
  /** `mode === 'on'`. */
  enabled: boolean;
  mode: ToggleMode;
  source: 'tenant' | 'default';
  /** `phase === 'locked'`. */
  locked: boolean;
  phase: Phase;
  /** When redirection became, or becomes, the default for tenants that never chose. */
  onByDefaultFrom: string | null;
  /** When redirection became, or becomes, mandatory. */
  lockedFrom: string | null;
  version: number;
  changedAt: string | null;
  changedBy: { oid: string; name: string } | null;
}

/** The mode in force for a tenant: its own choice, else the product's default at `now`. */
export function currentMode(
  product: Product,
  record: ToggleRecord | null,
  now: number,
): ToggleMode {
  return record?.mode ?? modeOf(defaultOn(product, now));
}

export function productState(
  product: Product,
  record: ToggleRecord | null,
  now: number,
): ProductState {
  const phase = phaseAt(product, now);
  const locked = phase === 'locked';
  const mode = locked ? 'on' : currentMode(product, record, now);
  return {
    product: product.id,
    enabled: mode === 'on',
    mode,
    source: record === null ? 'default' : 'tenant',
    locked,
    phase,
    onByDefaultFrom: product.phases.onByDefaultFrom,
    lockedFrom: product.phases.lockedFrom,
    version: record?.version ?? 0,
    changedAt: record?.changedAt ?? null,
    changedBy: record?.changedBy ?? null,
  };
}
