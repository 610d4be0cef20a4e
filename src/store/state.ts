import type { Product, ProductId } from '../catalogue/types';
import { isLocked } from '../core/decide';
import type { ToggleRecord } from './records';

/** What admins see of one product for their tenant (the settings API's ProductState). */
export interface ProductState {
  product: ProductId;
  enabled: boolean;
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
  return {
    product: product.id,
    enabled: locked ? true : (record?.enabled ?? product.defaultEnabled),
    source: record === null ? 'default' : 'tenant',
    locked,
    version: record?.version ?? 0,
    changedAt: record?.changedAt ?? null,
    changedBy: record?.changedBy ?? null,
  };
}
