import { runDurableObjectAlarm } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../src/config';
import { settingsDeps } from '../src/objects/deps';
import { keys, parseToggleRecord } from '../src/store/records';
import { newTenant, store, testEnv } from './helpers';
import { faultyKv } from './kv-faults';
import { auditRowCount, changeVia, configure, settingsOf, unwrap } from './tenant-settings-helpers';
import { overrideDeps } from './settings-deps';

const CONCURRENT = 50;

async function kvRecord(tenant: string, product: 'endpoint' | 'office') {
  return parseToggleRecord(await testEnv.TOGGLES.get(keys.toggle(tenant, product)));
}

async function allAudit(tenant: string) {
  return unwrap(await settingsOf(tenant).audit(tenant, { limit: 100 })).entries;
}

describe('TenantSettings: one writer per tenant', () => {
  it(`applies exactly one of ${CONCURRENT} concurrent changes carrying the same If-Match`, async () => {
    const tenant = newTenant();
    const results = await Promise.all(
      Array.from({ length: CONCURRENT }, () => changeVia(tenant, 'endpoint', true, { ifMatch: 0 })),
    );
    const applied = results.filter((r) => r.ok && r.value.changed);
    const failed = results.filter((r) => !r.ok && r.error === 'precondition_failed');
    console.log(
      `same If-Match: requests ${CONCURRENT}, applied ${applied.length}, precondition_failed ${failed.length}`,
    );
    expect(applied).toHaveLength(1);
    expect(failed).toHaveLength(CONCURRENT - 1);
    for (const f of failed)
      expect(f).toEqual({ ok: false, error: 'precondition_failed', current: 1 });
    expect(await allAudit(tenant)).toHaveLength(1);
    expect((await kvRecord(tenant, 'endpoint'))?.version).toBe(1);
  });

  it(`gives each of ${CONCURRENT} concurrent changes without If-Match one audit row and one version`, async () => {
    const tenant = newTenant();
    const results = await Promise.all(
      Array.from({ length: CONCURRENT }, (_, i) => changeVia(tenant, 'endpoint', i % 2 === 0)),
    );
    const applied = results.flatMap((r) =>
      r.ok && r.value.changed && r.value.record ? [r.value.record] : [],
    );
    expect(results.every((r) => r.ok)).toBe(true);
    const entries = await allAudit(tenant);
    const versions = applied.map((r) => r.version).sort((a, b) => a - b);
    const last = applied.reduce((a, b) => (b.version > a.version ? b : a));
    console.log(
      `no If-Match: requests ${CONCURRENT}, applied ${applied.length}, audit rows ${entries.length}, ` +
        `versions 1..${versions[versions.length - 1]}, lost ${applied.length - entries.length}`,
    );
    expect(applied.length).toBeGreaterThan(0);
    expect(versions).toEqual(Array.from({ length: applied.length }, (_, i) => i + 1));
    // One audit row per applied change, same id, newest first.
    expect(entries.map((e) => e.id)).toEqual(
      [...applied].sort((a, b) => b.version - a.version).map((r) => r.lastChange!.id),
    );
    expect(entries.map((e) => e.version)).toEqual([...versions].reverse());
    const records = unwrap(await settingsOf(tenant).records(tenant));
    expect(records.endpoint).toEqual(last);
    expect(await kvRecord(tenant, 'endpoint')).toEqual(last);
  });

  it('answers a stale If-Match with the current version and writes nothing', async () => {
    const tenant = newTenant();
    expect((await changeVia(tenant, 'endpoint', true, { ifMatch: 0 })).ok).toBe(true);
    expect(await changeVia(tenant, 'endpoint', false, { ifMatch: 0 })).toEqual({
      ok: false,
      error: 'precondition_failed',
      current: 1,
    });
    const ok = await changeVia(tenant, 'endpoint', false, { ifMatch: 1 });
    expect(unwrap(ok).record?.version).toBe(2);
    // Setting the value it already has: no new version, no audit row.
    const same = await changeVia(tenant, 'endpoint', false);
    expect(same).toMatchObject({ ok: true, value: { changed: false } });
    expect(await allAudit(tenant)).toHaveLength(2);
  });

  it("stores a tenant's first choice even when it is today's default: the default may move", async () => {
    const tenant = newTenant();
    // Endpoint is opt-in: off by default today.
    const first = await changeVia(tenant, 'endpoint', false);
    expect(first).toMatchObject({ ok: true, value: { changed: true, kvSynced: true } });
    expect(unwrap(first).record).toMatchObject({ mode: 'off', version: 1 });
    expect(await allAudit(tenant)).toMatchObject([{ mode: 'off', previousMode: 'off' }]);
  });

  it('answers only for its own tenant, in canonical form, and stores nothing else', async () => {
    const tenant = newTenant();
    const stub = settingsOf(tenant);
    const actor = { oid: 'o', name: 'n', upn: 'u', idp: 'i' };
    for (const asked of ['not-a-guid', tenant.toUpperCase()]) {
      const change = { tenant: asked, product: 'endpoint' as const, mode: 'on' as const };
      expect(await stub.change({ ...change, actor, feedback: null })).toMatchObject({
        ok: false,
        error: 'invalid_request',
      });
    }
    expect(await testEnv.TOGGLES.get(keys.toggle(tenant, 'endpoint'))).toBeNull();
    // A stub for another tenant's id is a wiring bug: refused loudly, never mixed.
    await changeVia(tenant, 'endpoint', true);
    const refused = await stub.records(newTenant()).then(
      () => 'answered',
      (error: unknown) => String(error),
    );
    expect(refused).toMatch(/another tenant/);
  });
});

describe('TenantSettings: KV is written after commit, and re-written by the alarm', () => {
  it('commits when KV refuses, converges KV on the alarm, loses and duplicates nothing', async () => {
    const tenant = newTenant();
    const stub = settingsOf(tenant);
    const faults = faultyKv(testEnv.TOGGLES, { put: '429' });
    overrideDeps(tenant, { kv: faults.kv });

    const first = await changeVia(tenant, 'endpoint', true);
    const second = await changeVia(tenant, 'endpoint', false, { feedback: 'too early' });
    expect(first).toMatchObject({ ok: true, value: { changed: true, kvSynced: false } });
    expect(second).toMatchObject({ ok: true, value: { changed: true, kvSynced: false } });
    expect(faults.injected).toBeGreaterThanOrEqual(2);
    expect(await kvRecord(tenant, 'endpoint')).toBeNull();
    const waiting = unwrap(await stub.syncStatus(tenant));
    expect(waiting.pending).toEqual(['endpoint']);
    expect(waiting.alarmAt).not.toBeNull();

    // Still refused: the alarm backs off further.
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const later = unwrap(await stub.syncStatus(tenant));
    expect(later.pending).toEqual(['endpoint']);
    expect(later.attempts).toBeGreaterThan(waiting.attempts);
    expect(later.alarmAt! - Date.now()).toBeGreaterThan(waiting.alarmAt! - Date.now());

    faults.mode.put = 'ok';
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const synced = unwrap(await stub.syncStatus(tenant));
    expect(synced.pending).toEqual([]);
    expect(synced.attempts).toBe(0);

    const stored = await kvRecord(tenant, 'endpoint');
    expect(stored).toEqual(unwrap(second).record);
    // The edge's own lookup (first read of this key in the isolate) sees the new state.
    expect(await store().enabledFor(tenant, 'endpoint')).toEqual({ ok: true, value: false });
    const entries = await allAudit(tenant);
    expect(entries.map((e) => e.version)).toEqual([2, 1]);
    expect(new Set(entries.map((e) => e.id)).size).toBe(2);
  });

  it('answers without waiting on a hung KV write, and never lets an older record land last', async () => {
    const tenant = newTenant();
    const stub = settingsOf(tenant);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const real = testEnv.TOGGLES;
    const puts: string[] = [];
    // An answer waits for KV a bounded time (2 s deployed); here a short one, not two real 2 s.
    configure(tenant, { kvWaitMs: 50 });
    overrideDeps(tenant, {
      kv: new Proxy(real, {
        get(target, prop) {
          if (prop !== 'put') return Reflect.get(target, prop).bind(target);
          return async (key: string, value: string) => {
            await gate;
            puts.push(value);
            return target.put(key, value);
          };
        },
      }),
    });

    // Both answered while KV hangs (the gate is still closed).
    const first = await changeVia(tenant, 'endpoint', true);
    const second = await changeVia(tenant, 'endpoint', false);
    expect(first).toMatchObject({ ok: true, value: { changed: true, kvSynced: false } });
    expect(second).toMatchObject({ ok: true, value: { changed: true, kvSynced: false } });
    expect(puts).toEqual([]);

    release();
    // The alarm's write queues behind the released ones: when it returns, KV has settled.
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(puts.map((p) => parseToggleRecord(p)?.version)).toEqual([1, 2]);
    expect((await kvRecord(tenant, 'endpoint'))?.version).toBe(2);
    expect(unwrap(await stub.syncStatus(tenant)).pending).toEqual([]);
  });

  it('writes the KV record in the format the edge and ToggleStore read', async () => {
    const tenant = newTenant();
    const result = await changeVia(tenant, 'office', false, { feedback: 'pilot group first' });
    expect(result).toMatchObject({ ok: true, value: { changed: true, kvSynced: true } });
    const viaStore = await kvRecord(tenant, 'office');
    expect(viaStore).toEqual(unwrap(result).record);
    expect(await store().enabledFor(tenant, 'office')).toEqual({ ok: true, value: false });
    expect(viaStore?.lastChange).toMatchObject({ feedback: 'pilot group first', previous: true });
  });
});

describe('TenantSettings: per-tenant write rate limit', () => {
  it('answers rate_limited with retry-after seconds over the limit, and writes nothing', async () => {
    const tenant = newTenant();
    configure(tenant, { writesPerMinute: 2 });
    expect((await changeVia(tenant, 'endpoint', true)).ok).toBe(true);
    expect((await changeVia(tenant, 'endpoint', false)).ok).toBe(true);
    const limited = await changeVia(tenant, 'endpoint', true);
    expect(limited.ok).toBe(false);
    if (limited.ok || limited.error !== 'rate_limited') throw new Error('not rate limited');
    // 2 a minute: the next token is about 30 s away.
    expect(limited.retryAfterSeconds).toBeGreaterThanOrEqual(29);
    expect(limited.retryAfterSeconds).toBeLessThanOrEqual(30);
    expect((await kvRecord(tenant, 'endpoint'))?.version).toBe(2);
    expect(await auditRowCount(tenant)).toBe(2);
    // Another tenant's object has its own bucket.
    expect((await changeVia(newTenant(), 'endpoint', true)).ok).toBe(true);
  });
});

describe('TenantSettings: audit read', () => {
  const alice = { oid: 'oid-alice', name: 'Alice', upn: 'Alice@Contoso.test', idp: 'aad' };
  const bob = { oid: 'oid-bob', name: 'Bob', upn: 'bob@contoso.test', idp: 'aad' };

  it('pages newest first with a stable cursor and filters by product, actor and time', async () => {
    const tenant = newTenant();
    const changes = [
      ['endpoint', true, alice],
      ['office', false, alice],
      ['endpoint', false, alice],
      ['office', true, bob],
      ['endpoint', true, bob],
      ['office', false, bob],
    ] as const;
    for (const [product, enabled, actor] of changes) {
      expect(await changeVia(tenant, product, enabled, { actor })).toMatchObject({
        value: { changed: true },
      });
    }
    const all = await allAudit(tenant);
    expect(all).toHaveLength(6);
    const stub = settingsOf(tenant);

    const first = unwrap(await stub.audit(tenant, { limit: 4 }));
    if (first.cursor === null) throw new Error('expected a cursor');
    // A change arriving between pages does not shift the next page.
    await changeVia(tenant, 'identity', true, { actor: bob });
    const second = unwrap(await stub.audit(tenant, { limit: 4, cursor: first.cursor }));
    expect(second.cursor).toBeNull();
    expect([...first.entries, ...second.entries].map((e) => e.id)).toEqual(all.map((e) => e.id));

    const office = unwrap(await stub.audit(tenant, { product: 'office' }));
    expect(office.entries.map((e) => e.product)).toEqual(['office', 'office', 'office']);
    const byUpn = unwrap(await stub.audit(tenant, { actor: 'alice@contoso.TEST' }));
    expect(byUpn.entries).toHaveLength(3);
    const byOid = unwrap(await stub.audit(tenant, { actor: 'oid-bob' }));
    expect(byOid.entries).toHaveLength(4);

    const pivot = all[2]!.at;
    const newer = unwrap(await stub.audit(tenant, { from: pivot }));
    const older = unwrap(await stub.audit(tenant, { to: pivot }));
    expect(newer.entries.length + older.entries.length).toBe(7);
    expect(newer.entries.every((e) => e.at >= pivot)).toBe(true);
    expect(older.entries.every((e) => e.at < pivot)).toBe(true);
  });

  it('refuses a cursor it did not make', async () => {
    const tenant = newTenant();
    const stub = settingsOf(tenant);
    for (const query of [{ cursor: 'not a cursor!' }, { cursor: btoa('1.2.3') }]) {
      expect(await stub.audit(tenant, query)).toMatchObject({
        ok: false,
        error: 'invalid_request',
      });
    }
  });
});

describe('TenantSettings: configuration from the composition root', () => {
  it("builds the deployed object's deps from its env: Date.now, the TOGGLES namespace, the config", () => {
    const deps = settingsDeps(testEnv);
    const before = Date.now();
    const now = deps.clock();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
    expect(deps.kv).toBe(testEnv.TOGGLES);
    // The catalogue as configured (PRODUCT_PHASES included), the edge's own.
    expect(deps.products).toBe(loadConfig(testEnv).products);
    expect(deps.products.map((p) => p.id)).toEqual(['endpoint', 'office', 'identity', 'cloudapps']);
    expect(deps.limits).toEqual({
      auditRetentionMs: 730 * 86_400_000,
      writesPerMinute: 60,
      scheduleMinLeadMs: 60_000,
      kvWaitMs: 2_000,
      kvReadTimeoutMs: 1_000,
    });
  });

  it('defaults to two years of audit and 60 writes a minute, and ignores bad values', () => {
    expect(parseConfig(testEnv).settings).toEqual({
      auditRetentionMs: 730 * 86_400_000,
      writesPerMinute: 60,
      scheduleMinLeadMs: 60_000,
      kvWaitMs: 2_000,
      kvReadTimeoutMs: 1_000,
    });
    expect(
      parseConfig({
        ...testEnv,
        SETTINGS_AUDIT_RETENTION_DAYS: '90',
        SETTINGS_WRITES_PER_MINUTE: '10',
        SCHEDULE_MIN_LEAD_SECONDS: '5',
      }).settings,
    ).toEqual({
      auditRetentionMs: 90 * 86_400_000,
      writesPerMinute: 10,
      scheduleMinLeadMs: 5_000,
      kvWaitMs: 2_000,
      kvReadTimeoutMs: 1_000,
    });
    for (const bad of ['0', '-1', '1.5', 'ten']) {
      const config = parseConfig({
        ...testEnv,
        SETTINGS_AUDIT_RETENTION_DAYS: bad,
        SETTINGS_WRITES_PER_MINUTE: bad,
      });
      expect(config.settings).toMatchObject({
        auditRetentionMs: 730 * 86_400_000,
        writesPerMinute: 60,
      });
      expect(config.problems).toEqual(
        expect.arrayContaining([
          expect.stringContaining('SETTINGS_AUDIT_RETENTION_DAYS'),
          expect.stringContaining('SETTINGS_WRITES_PER_MINUTE'),
        ]),
      );
    }
  });
});
