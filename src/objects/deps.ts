import { productById } from '../catalogue/products';
import type { Product, ProductId } from '../catalogue/types';
import { type Env, loadConfig, type SettingsConfig } from '../config';

/**
 * What the TenantSettings object and its parts run on, passed in: the clock, the KV namespace
 * the edge reads, the catalogue with its phases (defaults, locks) and the limits. The object
 * builds them from its env; a test builds its own (test/settings-deps.ts).
 */
export interface SettingsDeps {
  /** Epoch ms: leads, due schedules, report hours, retention. */
  clock(): number;
  readonly kv: KVNamespace;
  readonly products: readonly Product[];
  readonly limits: SettingsConfig;
}

/** The product `id` of the deps' catalogue; a missing one is a wiring bug, thrown. */
export function productOf(deps: SettingsDeps, id: ProductId): Product {
  const product = productById(id, deps.products);
  if (product === undefined) throw new Error(`TenantSettings: no product ${id}`);
  return product;
}

export function settingsDeps(env: Env): SettingsDeps {
  const config = loadConfig(env);
  return {
    clock: () => Date.now(),
    kv: env.TOGGLES,
    products: config.products,
    limits: config.settings,
  };
}
