import { evictDurableObject, runDurableObjectAlarm } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { keys } from '../src/store/records';
import { newTenant, testEnv } from './helpers';
import { legacyChange } from './legacy-kv';
import {
  auditRowCount,
  changeVia,
  configure,
  dumpSql,
  settingsOf,
  unwrap,
} from './tenant-settings-helpers';
import { overrideDeps } from './settings-deps';

const DAY_MS = 86_400_000;

describe("TenantSettings: import of what today's KV store holds", () => {
  it('imports records and audit keys on first use, once; a second run changes nothing', async () => {
    const tenant = newTenant();
    await legacyChange(tenant, 'endpoint', true, Date.now() - 3_000);
    const endpoint = await legacyChange(tenant, 'endpoint', false, Date.now() - 2_000, 'not yet');
    const office = await legacyChange(tenant, 'office', false, Date.now() - 1_000);
    // A change whose audit write was deferred: held only in its record's lastChange.
    const deferred = office.lastChange!;
    await testEnv.TOGGLES.delete(keys.audit(tenant, deferred.at, deferred.id));
    const kvBefore = await testEnv.TOGGLES.list({ prefix: '' });

    const stub = settingsOf(tenant);
    const records = await stub.records(tenant);
    expect(records).toEqual({ ok: true, value: { endpoint, office } });
    const audit = unwrap(await stub.audit(tenant));
    expect(audit.entries.map((e) => [e.product, e.version])).toEqual([
      ['office', 1],
      ['endpoint', 2],
      ['endpoint', 1],
    ]);
    expect(audit.entries[0]).toEqual(deferred);
    // The import reads KV only: the records it took from KV are not written back.
    expect(unwrap(await stub.syncStatus(tenant)).pending).toEqual([]);
    expect((await testEnv.TOGGLES.list({ prefix: '' })).keys).toEqual(kvBefore.keys);

    const afterFirst = await dumpSql(tenant);
    expect(await stub.importFromKv(tenant)).toEqual({
      ok: true,
      value: { records: 0, entries: 0 },
    });
    expect(await dumpSql(tenant)).toEqual(afterFirst);

    // An evicted object does not import again: the first import is recorded in SQL.
    await evictDurableObject(stub);
    expect(await stub.records(tenant)).toEqual(records);
    expect(await dumpSql(tenant)).toEqual(afterFirst);
  });

  it('continues the imported versions and never rolls a newer change back on re-import', async () => {
    const tenant = newTenant();
    await legacyChange(tenant, 'endpoint', true);
    const stale = await changeVia(tenant, 'endpoint', false, { ifMatch: 0 });
    expect(stale).toEqual({ ok: false, error: 'precondition_failed', current: 1 });
    const next = await changeVia(tenant, 'endpoint', false, { ifMatch: 1 });
    expect(unwrap(next).record?.version).toBe(2);

    expect(await settingsOf(tenant).importFromKv(tenant)).toEqual({
      ok: true,
      value: { records: 0, entries: 0 },
    });
    const records = unwrap(await settingsOf(tenant).records(tenant));
    expect(records.endpoint?.version).toBe(2);
    expect(await auditRowCount(tenant)).toBe(2);
  });

  it('answers unavailable and writes nothing when KV cannot be read for the import', async () => {
    const tenant = newTenant();
    await legacyChange(tenant, 'endpoint', true);
    overrideDeps(tenant, {
      kv: {
        ...testEnv.TOGGLES,
        get: () => Promise.reject(new Error('KV GET failed: 500')),
        list: () => Promise.reject(new Error('KV LIST failed: 500')),
      } as unknown as KVNamespace,
    });
    expect(await changeVia(tenant, 'endpoint', false)).toMatchObject({
      ok: false,
      error: 'unavailable',
    });
    expect(await dumpSql(tenant)).toMatchObject({ toggles: [], audit: [] });
    overrideDeps(tenant, { kv: testEnv.TOGGLES });
    const retried = await changeVia(tenant, 'endpoint', false, { ifMatch: 1 });
    expect(unwrap(retried).record?.version).toBe(2);
  });
});

describe('TenantSettings: audit retention', () => {
  it('drops rows past retention on import, on write and by the alarm; state is kept', async () => {
    const tenant = newTenant();
    const now = Date.now();
    await legacyChange(tenant, 'endpoint', true, now - 3 * 365 * DAY_MS);
    const recent = await legacyChange(tenant, 'endpoint', false, now - DAY_MS);
    const stub = settingsOf(tenant);

    // Default retention (two years): the three-year-old entry is not imported.
    const audit = unwrap(await stub.audit(tenant));
    expect(audit.entries.map((e) => e.id)).toEqual([recent.lastChange!.id]);
    expect(await auditRowCount(tenant)).toBe(1);
    // The alarm is set for when the oldest row expires.
    const status = unwrap(await stub.syncStatus(tenant));
    expect(status.alarmAt).toBe(Date.parse(recent.lastChange!.at) + 730 * DAY_MS);

    // Shorter retention: a write removes the day-old row in its own transaction.
    configure(tenant, { auditRetentionMs: DAY_MS / 2 });
    const change = await changeVia(tenant, 'endpoint', true);
    expect(unwrap(change).changed).toBe(true);
    expect(await auditRowCount(tenant)).toBe(1);

    // Without writes, the alarm removes what expires.
    configure(tenant, { auditRetentionMs: 1 });
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await auditRowCount(tenant)).toBe(0);
    expect(unwrap(await stub.syncStatus(tenant)).alarmAt).toBeNull();
    const records = unwrap(await stub.records(tenant));
    expect(records.endpoint?.version).toBe(3);
  });
});
