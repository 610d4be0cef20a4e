/**
 * The settings objects of the Worker under test run on deps a test may set per tenant: a clock
 * of its own, a KV namespace that fails on demand (kv-faults.ts), other products or limits. The
 * test entry (worker.ts) builds every object with `testDeps`, which reads what a test set at the
 * moment the object uses it, so a setting applies to an object already running. Production builds
 * its objects with `settingsDeps(env)` and nothing here.
 */
import { env } from 'cloudflare:workers';
import type { Product } from '../src/catalogue/types';
import type { Env, SettingsConfig } from '../src/config';
import { type SettingsDeps, settingsDeps } from '../src/objects/deps';

export interface DepsOverride {
  clock?: () => number;
  kv?: KVNamespace;
  products?: readonly Product[];
  limits?: Partial<SettingsConfig>;
}

// By the object's id (`idFromName(tenant)`): the same key the object itself has.
const overrides = new Map<string, DepsOverride>();

/** The deps of the object with this id: its env's, with whatever a test set for its tenant. */
export function testDeps(id: string, objectEnv: Env): SettingsDeps {
  const base = settingsDeps(objectEnv);
  const now = () => overrides.get(id) ?? {};
  return {
    clock: () => (now().clock ?? base.clock)(),
    get kv() {
      return now().kv ?? base.kv;
    },
    get products() {
      return now().products ?? base.products;
    },
    get limits() {
      return { ...base.limits, ...now().limits };
    },
  };
}

/** Set (merge) what the tenant's object runs on, from now on. */
export function overrideDeps(tenant: string, override: DepsOverride): void {
  const namespace = (env as unknown as Env).TENANT_SETTINGS;
  const id = namespace.idFromName(tenant).toString();
  const current = overrides.get(id) ?? {};
  overrides.set(id, {
    ...current,
    ...override,
    limits: { ...current.limits, ...override.limits },
  });
}
