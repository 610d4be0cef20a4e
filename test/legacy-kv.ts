import type { ProductId } from '../src/catalogue/types';
import type { AuditEntry } from '../src/model/audit';
import type { ToggleRecord } from '../src/model/toggle';
import { keys, parseToggleRecord } from '../src/store/records';
import { testActor, testEnv } from './helpers';
import { defaultOf } from './tenant-settings-helpers';

/**
 * A change written to KV exactly as the settings API wrote it before the TenantSettings object
 * (the toggle record with its write-ahead `lastChange`, then the `audit:` key with the product
 * in its metadata), at a chosen time: the data the object imports on first use.
 */
export async function legacyChange(
  tenant: string,
  product: ProductId,
  enabled: boolean,
  at = Date.now(),
  feedback: string | null = null,
): Promise<ToggleRecord> {
  // The shapes as written before modes and schedules: no mode, previousMode or via.
  type LegacyEntry = Omit<AuditEntry, 'mode' | 'previousMode' | 'via' | 'event' | 'scheduledFor'>;
  const kv = testEnv.TOGGLES;
  const current = parseToggleRecord(await kv.get(keys.toggle(tenant, product)));
  const previous = current?.enabled ?? defaultOf(product);
  if (previous === enabled) throw new Error('legacyChange: the value is already set');
  const entry: LegacyEntry = {
    id: crypto.randomUUID(),
    at: new Date(at).toISOString(),
    product,
    enabled,
    previous,
    version: (current?.version ?? 0) + 1,
    actor: testActor,
    feedback: enabled ? null : feedback,
  };
  const record = {
    enabled,
    version: entry.version,
    changedAt: entry.at,
    changedBy: { oid: testActor.oid, name: testActor.name },
    lastChange: entry,
  };
  await kv.put(keys.toggle(tenant, product), JSON.stringify(record));
  await kv.put(keys.audit(tenant, entry.at, entry.id), JSON.stringify(entry), {
    metadata: { product },
  });
  return parseToggleRecord(JSON.stringify(record)) as ToggleRecord;
}
