import type { ProductId } from '../catalogue/types';
import type { AuditEntry, ToggleRecord } from '../store/records';
import type { ChangeRequest, ChangeResult, ToggleStore } from '../store/toggles';

export type { ChangeRequest, ChangeResult };

export interface AuditQuery {
  limit: number;
  product?: ProductId;
  /** Opaque, from a previous page. */
  cursor?: string;
}

export interface AuditPage {
  /** Newest first. */
  entries: AuditEntry[];
  cursor: string | null;
}

/**
 * What the settings service needs of storage. The KV implementation below is today's; a
 * Durable Object writer can take its place without the service or the routers changing.
 * Errors: `StoreUnavailableError` (503), `InvalidCursorError` (400), `VersionMismatchError` (412),
 * all from store/toggles.ts and mapped once in errors.ts.
 */
export interface SettingsStore {
  /** One product's stored record; `null` when the tenant never chose. Read fresh, not cached. */
  read(tenant: string, product: ProductId): Promise<ToggleRecord | null>;
  /** Apply a change and its audit entry together; setting the current value changes nothing. */
  change(request: ChangeRequest): Promise<ChangeResult>;
  /** A page of the tenant's audit log, every committed change included. */
  audit(tenant: string, query: AuditQuery): Promise<AuditPage>;
}

/**
 * The KV-backed store. A change whose audit write was deferred (KV refused it after the record
 * was committed) is written by the next first page of the audit log.
 */
export function kvSettingsStore(
  toggles: ToggleStore,
  products: readonly ProductId[],
): SettingsStore {
  return {
    read: (tenant, product) => toggles.record(tenant, product),
    change: (request) => toggles.change(request),
    async audit(tenant, query) {
      if (!query.cursor) await toggles.repairAudit(tenant, products);
      return toggles.audit(tenant, query);
    },
  };
}
