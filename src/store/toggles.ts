import type { ProductId } from '../catalogue/types';
import type { Lookup } from '../core/decide';
import { IsolateCache } from './cache';
import type { Actor, AuditEntry, ToggleRecord } from './records';
import { keys, parseAuditEntry, parseHostRecord, parseToggleRecord } from './records';

export interface StoreOptions {
  /** KV edge cache for reads on the request path (Cloudflare minimum: 30). */
  kvCacheTtlSeconds: number;
  toggleCacheTtlMs: number;
  kvReadTimeoutMs: number;
}

export const TOGGLE_CACHE_MAX_ENTRIES = 50_000;
// A tenant's workspace host never changes tenant: cache the mapping longer than toggles.
const HOST_CACHE_TTL_MS = 10 * 60_000;

/** KV refused or failed: the settings API answers 503 with Retry-After. */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
}
/** KV rejected a list cursor the client sent (cursors are KV's own, opaque). */
export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError';
}
/** `If-Match` named another version. */
export class VersionMismatchError extends Error {
  override readonly name = 'VersionMismatchError';
  constructor(readonly current: number) {
    super(`current version is ${current}`);
  }
}

// Shared by every request of this isolate. Keys name tenant and product, so one tenant's entry
// can never answer for another.
const toggleCache = new IsolateCache<boolean | null>(TOGGLE_CACHE_MAX_ENTRIES);
const hostCache = new IsolateCache<string | null>(TOGGLE_CACHE_MAX_ENTRIES);
const writeLocks = new Map<string, { token: object; since: number }>();
const WRITE_LOCK_POLL_MS = 2;
const WRITE_LOCK_STALE_MS = 5_000;

/** Forget everything cached in this isolate (tests, and the toggles CLI between commands). */
export function clearIsolateCaches(): void {
  toggleCache.clear();
  hostCache.clear();
}

export interface ChangeRequest {
  tenant: string;
  product: ProductId;
  enabled: boolean;
  /** The catalogue default: the current value when the tenant never chose. */
  defaultEnabled: boolean;
  actor: Actor;
  feedback: string | null;
  /** Expected current version (0: never changed); `undefined` for no precondition. */
  ifMatch?: number;
}

export interface ChangeResult {
  record: ToggleRecord | null;
  changed: boolean;
}

/** The toggle store over the `TOGGLES` namespace. Key layout and semantics: docs/kv-schema.md. */
export class ToggleStore {
  constructor(
    private readonly kv: KVNamespace,
    private readonly options: StoreOptions,
    private readonly now: () => number = Date.now,
  ) {}

  /** The tenant's own choice for a product (`null`: never chose), for the edge decision. */
  async enabledFor(tenant: string, product: ProductId): Promise<Lookup<boolean | null>> {
    return this.cachedRead(
      toggleCache,
      keys.toggle(tenant, product),
      this.options.toggleCacheTtlMs,
      (raw) => {
        const record = parseToggleRecord(raw);
        return record === null ? null : record.enabled;
      },
    );
  }

  /** The tenant of a tenant-specific legacy host (`null`: not mapped). */
  async hostTenant(hostname: string): Promise<Lookup<string | null>> {
    return this.cachedRead(hostCache, keys.host(hostname), HOST_CACHE_TTL_MS, parseHostRecord);
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
      );
      const value = parse(raw);
      cache.set(key, value, now + ttlMs);
      return { ok: true, value };
    } catch (error) {
      console.warn(`KV read of ${key} failed: ${String(error)}`);
      return { ok: false, lastSeen: cache.lastSeen(key) };
    }
  }

  /** The stored record, read from KV (no isolate cache), for the settings API. */
  async record(tenant: string, product: ProductId): Promise<ToggleRecord | null> {
    try {
      return parseToggleRecord(
        await withTimeout(this.kv.get(keys.toggle(tenant, product)), this.options.kvReadTimeoutMs),
      );
    } catch (error) {
      throw new StoreUnavailableError(`KV read failed: ${String(error)}`);
    }
  }

  /**
   * Apply a change and its audit entry together (see docs/kv-schema.md, "Change and audit
   * together"). Serialised per key within this isolate. Setting the current value is a no-op.
   */
  async change(request: ChangeRequest): Promise<ChangeResult> {
    const key = keys.toggle(request.tenant, request.product);
    // One writer per key in this isolate. Waiters poll on their own timers: workerd cancels a
    // request that awaits a promise only another request can settle (it looks hung), and ties
    // I/O to the request that starts it. A lock older than WRITE_LOCK_STALE_MS (its holder was
    // cancelled mid-write) is taken over.
    const token = {};
    for (;;) {
      const held = writeLocks.get(key);
      if (held === undefined || this.now() - held.since > WRITE_LOCK_STALE_MS) break;
      await new Promise((resolve) => setTimeout(resolve, WRITE_LOCK_POLL_MS));
    }
    writeLocks.set(key, { token, since: this.now() });
    try {
      return await this.changeNow(key, request);
    } finally {
      if (writeLocks.get(key)?.token === token) writeLocks.delete(key);
    }
  }

  private async changeNow(key: string, request: ChangeRequest): Promise<ChangeResult> {
    const current = await this.record(request.tenant, request.product);
    const currentVersion = current?.version ?? 0;
    if (request.ifMatch !== undefined && request.ifMatch !== currentVersion)
      throw new VersionMismatchError(currentVersion);
    const currentEnabled = current?.enabled ?? request.defaultEnabled;
    if (currentEnabled === request.enabled) return { record: current, changed: false };

    // Repair: the previous change's audit entry must exist before its record is overwritten.
    if (current?.lastChange) await this.putAudit(request.tenant, current.lastChange);

    const at = new Date(this.now()).toISOString();
    const entry: AuditEntry = {
      id: crypto.randomUUID(),
      at,
      product: request.product,
      enabled: request.enabled,
      previous: currentEnabled,
      version: currentVersion + 1,
      actor: request.actor,
      feedback: request.enabled ? null : request.feedback,
    };
    const record: ToggleRecord = {
      enabled: request.enabled,
      version: entry.version,
      changedAt: at,
      changedBy: { oid: request.actor.oid, name: request.actor.name },
      lastChange: entry,
    };
    try {
      await this.kv.put(key, JSON.stringify(record));
    } catch (error) {
      throw new StoreUnavailableError(`KV write refused: ${String(error)}`);
    }
    toggleCache.set(key, record.enabled, this.now() + this.options.toggleCacheTtlMs);
    try {
      await this.putAudit(request.tenant, entry);
    } catch (error) {
      // Committed already: the entry is held in the record and repaired by the next change or read.
      console.warn(`audit write for ${key} deferred: ${String(error)}`);
    }
    return { record, changed: true };
  }

  private async putAudit(tenant: string, entry: AuditEntry): Promise<void> {
    try {
      await this.kv.put(keys.audit(tenant, entry.at, entry.id), JSON.stringify(entry), {
        metadata: { product: entry.product },
      });
    } catch (error) {
      throw new StoreUnavailableError(`KV write refused: ${String(error)}`);
    }
  }

  /** Write any change whose audit entry is held only in its toggle record. */
  async repairAudit(tenant: string, products: readonly ProductId[]): Promise<void> {
    const records = await Promise.all(products.map((p) => this.record(tenant, p)));
    for (const record of records) {
      const entry = record?.lastChange;
      if (!entry) continue;
      const stored = await this.kv.get(keys.audit(tenant, entry.at, entry.id));
      if (stored === null) await this.putAudit(tenant, entry);
    }
  }

  /** Audit entries, newest first. `cursor` is KV's list cursor. */
  async audit(
    tenant: string,
    options: { product?: ProductId; limit: number; cursor?: string },
  ): Promise<{ entries: AuditEntry[]; cursor: string | null }> {
    const names: string[] = [];
    let cursor = options.cursor;
    try {
      for (;;) {
        const page = await this.kv.list<{ product?: string }>({
          prefix: keys.auditPrefix(tenant),
          limit: options.limit - names.length,
          ...(cursor ? { cursor } : {}),
        });
        for (const k of page.keys) {
          if (!options.product || k.metadata?.product === options.product) names.push(k.name);
        }
        cursor = page.list_complete ? undefined : page.cursor;
        if (cursor === undefined || names.length >= options.limit) break;
      }
      const values = await Promise.all(names.map((name) => this.kv.get(name)));
      const entries = values
        .map((v) => parseAuditEntry(v))
        .filter((e): e is AuditEntry => e !== null);
      return { entries, cursor: cursor ?? null };
    } catch (error) {
      // KV answers a cursor it did not issue with an error; that is the caller's mistake.
      if (options.cursor && names.length === 0)
        throw new InvalidCursorError(`KV refused cursor: ${String(error)}`);
      throw new StoreUnavailableError(`KV list failed: ${String(error)}`);
    }
  }

  /** Map a tenant-specific legacy host to its tenant. */
  async mapHost(hostname: string, tenant: string): Promise<void> {
    await this.kv.put(keys.host(hostname), JSON.stringify({ tenantId: tenant }));
    hostCache.set(keys.host(hostname), tenant, this.now() + HOST_CACHE_TTL_MS);
  }
}

/** Reject when `promise` has not settled within `ms` (a hung KV read must not hang a request). */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => {
    if (timer !== undefined) clearTimeout(timer);
  });
}
