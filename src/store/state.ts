import type { Product, ProductId } from '../catalogue/types';
import { isLocked } from '../core/decide';
import type { ToggleMode, ToggleRecord } from './records';
import { modeOf } from './records';

/** What admins see of one product for their tenant (the settings API's ProductState). */
export interface ProductState {
  product: ProductId;
  /** `mode === 'on'`. */
  enabled: boolean;
  mode: ToggleMode;
  source: 'tenant' | 'default';
  locked: boolean;
  version: number;
  changedAt: string | null;
  changedBy: { oid: string; name: string } | null;
}

export function productState(
  product: Product,
  record: ToggleRecord | null,
  now: number,
): ProductState {
  const locked = isLocked(product, now);
  const mode = locked ? 'on' : (record?.mode ?? modeOf(product.defaultEnabled));
  return {
    product: product.id,
    enabled: mode === 'on',
    mode,
    source: record === null ? 'default' : 'tenant',
    locked,
    version: record?.version ?? 0,
    changedAt: record?.changedAt ?? null,
    changedBy: record?.changedBy ?? null,
  };
}
