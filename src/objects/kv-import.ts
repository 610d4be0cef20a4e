import { PRODUCT_IDS } from '../catalogue/types';
import type { ProductId } from '../catalogue/types';
import { withTimeout } from '../lib/async';
import type { AuditEntry } from '../model/audit';
import type { ToggleRecord } from '../model/toggle';
import { keys, parseAuditEntry, parseToggleRecord } from '../store/records';

/** What today's KV store holds for one tenant (docs/kv-schema.md). */
export interface LegacyTenant {
  records: Map<ProductId, ToggleRecord>;
  /** Every audit entry, from `audit:` keys and the records' write-ahead `lastChange`, by id. */
  entries: AuditEntry[];
}

// KV's bulk get takes at most 100 keys; one call per 100 keeps an import of a long log well
// under the per-invocation subrequest limit.
const BULK_GET_KEYS = 100;

/**
 * Read a tenant's toggle records and audit keys, as the settings API wrote them before the
 * object (docs/kv-schema.md, "Import"). Each KV call is bounded by `timeoutMs`: a hung read
 * fails the import (the caller answers `unavailable`) instead of holding the object.
 */
export async function readLegacyTenant(
  kv: KVNamespace,
  tenant: string,
  timeoutMs: number,
): Promise<LegacyTenant> {
  const bounded = <T>(work: Promise<T>) => withTimeout(work, timeoutMs, 'KV read');
  const records = new Map<ProductId, ToggleRecord>();
  const toggleKeys = PRODUCT_IDS.map((p) => keys.toggle(tenant, p));
  const values = await bounded(kv.get(toggleKeys, 'text'));
  PRODUCT_IDS.forEach((product, i) => {
    const record = parseToggleRecord(values.get(toggleKeys[i] as string) ?? null);
    if (record !== null) records.set(product, record);
  });

  const names: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await bounded(
      kv.list({ prefix: keys.auditPrefix(tenant), ...(cursor ? { cursor } : {}) }),
    );
    for (const k of page.keys) names.push(k.name);
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor !== undefined);

  const byId = new Map<string, AuditEntry>();
  for (let i = 0; i < names.length; i += BULK_GET_KEYS) {
    const batch = names.slice(i, i + BULK_GET_KEYS);
    const got = await bounded(kv.get(batch, 'text'));
    for (const name of batch) {
      const entry = parseAuditEntry(got.get(name) ?? null);
      if (entry !== null && importable(entry)) byId.set(entry.id, entry);
    }
  }
  // A change whose audit write was deferred lives only in its record (the write-ahead copy).
  for (const record of records.values()) {
    const entry = record.lastChange;
    if (entry && importable(entry) && !byId.has(entry.id)) byId.set(entry.id, entry);
  }
  const entries = [...byId.values()].sort(
    (a, b) => Date.parse(a.at) - Date.parse(b.at) || a.version - b.version,
  );
  return { records, entries };
}

/** An entry the audit table can hold: a catalogue product and a parseable instant. */
function importable(entry: AuditEntry): boolean {
  return (
    (PRODUCT_IDS as readonly string[]).includes(entry.product) &&
    !Number.isNaN(Date.parse(entry.at))
  );
}
