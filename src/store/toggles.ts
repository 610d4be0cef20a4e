import type { ProductId } from '../catalogue/types';
import type { Lookup } from '../core/toggle-state';
import { withTimeout } from '../lib/async';
import { type ToggleRecord, type ToggleValue, toggleValue } from '../model/toggle';
import { IsolateCache } from './cache';
import { keys, parseHostRecord, parseToggleRecord } from './records';

export interface StoreOptions {
  /** KV edge cache for reads on the request path (Cloudflare minimum: 30). */
  kvCacheTtlSeconds: number;
  toggleCacheTtlMs: number;
  kvReadTimeoutMs: number;
}

export const TOGGLE_CACHE_MAX_ENTRIES = 50_000;
// A tenant's workspace host never changes tenant: cache the mapping longer than toggles.
const HOST_CACHE_TTL_MS = 10 * 60_000;

// Shared by every request of this isolate. Keys name tenant and product, so one tenant's entry
// can never answer for another.
const toggleCache = new IsolateCache<ToggleValue | null>(TOGGLE_CACHE_MAX_ENTRIES);
const hostCache = new IsolateCache<string | null>(TOGGLE_CACHE_MAX_ENTRIES);

/**
 * The edge's read path over the `TOGGLES` namespace, and the host mappings. Toggle records are
 * written by each tenant's TenantSettings object only. Key layout and semantics: docs/kv-schema.md.
 */
export class ToggleStore {
  constructor(
    private readonly kv: KVNamespace,
    private readonly options: StoreOptions,
    private readonly now: () => number = Date.now,
  ) {}

  /** The tenant's own choice for a product (`null`: never chose), for the edge decision. */
  async enabledFor(tenant: string, product: ProductId): Promise<Lookup<ToggleValue | null>> {
    return this.cachedRead(
      toggleCache,
      keys.toggle(tenant, product),
      this.options.toggleCacheTtlMs,
      (raw) => {
        const record = parseToggleRecord(raw);
        return record === null ? null : toggleValue(record);
      },
    );
  }

  /** The tenant of a tenant-specific legacy host (`null`: not mapped). */
  async hostTenant(hostname: string): Promise<Lookup<string | null>> {
    return this.cachedRead(hostCache, keys.host(hostname), HOST_CACHE_TTL_MS, parseHostRecord);
  }

  /**
   * `enabledFor`'s answer when this isolate holds a fresh one, else `undefined`: the edge decides
   * a cached tenant without a promise (a request that needs no KV read awaits nothing).
   */
  cachedToggle(tenant: string, product: ProductId): Lookup<ToggleValue | null> | undefined {
    const value = toggleCache.fresh(keys.toggle(tenant, product), this.now());
    return value === undefined ? undefined : { ok: true, value };
  }

  /** `hostTenant`'s answer when this isolate holds a fresh one, else `undefined`. */
  cachedHostTenant(hostname: string): Lookup<string | null> | undefined {
    const value = hostCache.fresh(keys.host(hostname), this.now());
    return value === undefined ? undefined : { ok: true, value };
  }

  /**
   * A change this isolate just made through the settings object: the edge requests it serves
   * next follow at once, as other isolates do once their cached reads expire.
   */
  remember(tenant: string, product: ProductId, record: ToggleRecord | null): void {
    const value = record === null ? null : toggleValue(record);
    toggleCache.set(
      keys.toggle(tenant, product),
      value,
      this.now() + this.options.toggleCacheTtlMs,
    );
  }

  private async cachedRead<T>(
    cache: IsolateCache<T>,
    key: string,
    ttlMs: number,
    parse: (raw: string | null) => T,
  ): Promise<Lookup<T>> {
    const now = this.now();
    const fresh = cache.fresh(key, now);
    if (fresh !== undefined) return { ok: true, value: fresh };
    try {
      const raw = await withTimeout(
        this.kv.get(key, { cacheTtl: this.options.kvCacheTtlSeconds }),
        this.options.kvReadTimeoutMs,
        'KV read',
      );
      const value = parse(raw);
      cache.set(key, value, now + ttlMs);
      return { ok: true, value };
    } catch (error) {
      console.warn(`KV read of ${key} failed: ${String(error)}`);
      return { ok: false, lastSeen: cache.lastSeen(key) };
    }
  }

  /** Map a tenant-specific legacy host to its tenant. */
  async mapHost(hostname: string, tenant: string): Promise<void> {
    await this.kv.put(keys.host(hostname), JSON.stringify({ tenantId: tenant }));
    hostCache.set(keys.host(hostname), tenant, this.now() + HOST_CACHE_TTL_MS);
  }
}

/**
 * Whether this isolate has seen a stored setting (on, off or observe) of the tenant for the
 * product, fresh or not: the report counts only such tenants (edge/report-counter.ts says why).
 */
export function hasStoredSetting(tenant: string, product: ProductId): boolean {
  const value = toggleCache.lastSeen(keys.toggle(tenant, product));
  return value !== undefined && value !== null;
}
