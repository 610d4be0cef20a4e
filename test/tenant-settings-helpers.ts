import { runInDurableObject } from 'cloudflare:test';
import { PRODUCTS } from '../src/catalogue/products';
import type { ProductId } from '../src/catalogue/types';
import type { SettingsConfig } from '../src/config';
import type { ChangeResult } from '../src/model/changes';
import { defaultOn } from '../src/model/phases';
import type { Result } from '../src/model/result';
import { modeOf, type ToggleMode } from '../src/model/toggle';
import type { TenantSettings } from '../src/objects/tenant-settings';
import { testActor, testEnv } from './helpers';
import { overrideDeps } from './settings-deps';

/** The tenant's object, as the settings service will reach it. */
export function settingsOf(tenant: string): DurableObjectStub<TenantSettings> {
  return testEnv.TENANT_SETTINGS.get(testEnv.TENANT_SETTINGS.idFromName(tenant));
}

/** Whether a tenant that never chose is redirected, today. */
export function defaultOf(product: ProductId): boolean {
  return defaultOn(PRODUCTS.find((p) => p.id === product)!, Date.now());
}

export interface ChangeOptions {
  ifMatch?: number;
  feedback?: string | null;
  actor?: typeof testActor;
}

/** One admin's change through the object's RPC interface. */
export function changeVia(
  tenant: string,
  product: ProductId,
  enabled: boolean | ToggleMode,
  options: ChangeOptions = {},
): Promise<Result<ChangeResult>> {
  return settingsOf(tenant).change({
    tenant,
    product,
    mode: typeof enabled === 'boolean' ? modeOf(enabled) : enabled,
    actor: options.actor ?? testActor,
    feedback: options.feedback ?? null,
    ...(options.ifMatch !== undefined ? { ifMatch: options.ifMatch } : {}),
  }) as Promise<Result<ChangeResult>>;
}

/** Everything the object stores in SQL, for "nothing changed" comparisons. */
export function dumpSql(tenant: string): Promise<Record<string, unknown[]>> {
  return runInDurableObject(settingsOf(tenant), (_instance: TenantSettings, state) => ({
    meta: state.storage.sql.exec('SELECT * FROM meta ORDER BY key').toArray(),
    toggles: state.storage.sql.exec('SELECT * FROM toggles ORDER BY product').toArray(),
    audit: state.storage.sql.exec('SELECT * FROM audit ORDER BY seq').toArray(),
  }));
}

/** Rows physically in the audit table (reads also hide rows past retention). */
export function auditRowCount(tenant: string): Promise<number> {
  return runInDurableObject(
    settingsOf(tenant),
    (_i: TenantSettings, state) =>
      state.storage.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM audit').one().n,
  );
}

/** The object's limits, as the env vars would set them (tests cannot vary env per test). */
export function configure(tenant: string, limits: Partial<SettingsConfig>): void {
  overrideDeps(tenant, { limits });
}

/** The object's clock stands at `ms` (its leads, due schedules, buckets and retention follow it). */
export function setClock(tenant: string, ms: number): void {
  overrideDeps(tenant, { clock: () => ms });
}

/** The value of an object's answer; a failure fails the test, saying which. */
export function unwrap<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`the settings object answered ${JSON.stringify(result)}`);
  return result.value;
}
