import { runInDurableObject } from 'cloudflare:test';
import type { ProductId } from '../src/catalogue/types';
import { PRODUCTS } from '../src/catalogue/products';
import type { TenantSettings } from '../src/objects/tenant-settings';
import type { ChangeOutcome } from '../src/objects/types';
import type { ToggleMode } from '../src/store/records';
import { modeOf } from '../src/store/records';
import { testActor, testEnv } from './helpers';

/** The tenant's object, as the settings service will reach it. */
export function settingsOf(tenant: string): DurableObjectStub<TenantSettings> {
  return testEnv.TENANT_SETTINGS.get(testEnv.TENANT_SETTINGS.idFromName(tenant));
}

export function defaultOf(product: ProductId): boolean {
  return PRODUCTS.find((p) => p.id === product)!.defaultEnabled;
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
): Promise<ChangeOutcome> {
  return settingsOf(tenant).change({
    tenant,
    product,
    mode: typeof enabled === 'boolean' ? modeOf(enabled) : enabled,
    defaultEnabled: defaultOf(product),
    actor: options.actor ?? testActor,
    feedback: options.feedback ?? null,
    ...(options.ifMatch !== undefined ? { ifMatch: options.ifMatch } : {}),
  });
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

/** Replace the object's configuration, as the env vars would (tests cannot vary env per test). */
export function configure(
  tenant: string,
  change: Partial<TenantSettings['config']>,
): Promise<void> {
  return runInDurableObject(settingsOf(tenant), (instance: TenantSettings) => {
    instance.config = { ...instance.config, ...change };
  });
}

/** Set the object's clock to `ms` (its leads, due schedules, buckets and retention follow it). */
export function setClock(tenant: string, ms: number): Promise<void> {
  return runInDurableObject(settingsOf(tenant), (instance: TenantSettings) => {
    instance.clock = () => ms;
  });
}
