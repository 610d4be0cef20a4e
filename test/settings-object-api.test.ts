/**
 * The settings API over the tenant's TenantSettings object, end to end: real signed tokens,
 * the Worker's own fetch handler, the real Durable Object and KV bindings.
 */
import { runDurableObjectAlarm } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { Env } from '../src/config';
import worker from '../src/index';
import { CSV_COLUMNS, parseCsv } from '../src/objects/audit-export';
import type { AuditEntry } from '../src/model/audit';
import { keys, parseToggleRecord } from '../src/store/records';
import { adminToken, api, auditAll, expectError, putProduct } from './api-helpers';
import { decisionOf, navigation, newTenant, testEnv } from './helpers';
import { faultyKv } from './kv-faults';
import { auditRowCount, configure, settingsOf, unwrap } from './tenant-settings-helpers';
import { overrideDeps } from './settings-deps';

const CONCURRENT = 50;

interface State {
  enabled: boolean;
  version: number;
  source: string;
}

const put = (tenant: string, token: string, body: unknown, headers: Record<string, string> = {}) =>
  putProduct(tenant, 'endpoint', body, token, headers);
const auditViaApi = async (tenant: string, token: string, query = '') =>
  (await auditAll(tenant, token, query)) as unknown as Omit<AuditEntry, 'version'>[];

async function exportJson(tenant: string, token: string): Promise<AuditEntry[]> {
  const res = await api('GET', `/tenants/${tenant}/redirection/audit/export?format=json`, {
    token,
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { entries: AuditEntry[] }).entries;
}

/** The edge's decision for the tenant, its isolate cache off: what KV holds now. */
async function edgeReason(tenant: string): Promise<string | null> {
  const env = { ...testEnv, TOGGLE_CACHE_TTL_SECONDS: '0' } as Env;
  const url = `https://securitycenter.windows.com/alerts?tid=${tenant}`;
  return decisionOf(await worker.fetch(navigation(url), env)).reason;
}

describe('settings API: one writer per tenant', () => {
  it(`answers exactly one 200 and ${CONCURRENT - 1} 412s to ${CONCURRENT} concurrent PUTs with the same If-Match`, async () => {
    const tenant = newTenant();
    const token = await adminToken(tenant, ['security-admin']);
    const responses = await Promise.all(
      Array.from({ length: CONCURRENT }, () =>
        put(tenant, token, { enabled: true }, { 'If-Match': '"0"' }),
      ),
    );
    const ok = responses.filter((r) => r.status === 200);
    const stale = responses.filter((r) => r.status === 412);
    const entries = await auditViaApi(tenant, token);
    console.log(
      `API same If-Match: requests ${CONCURRENT}, 200s ${ok.length}, 412s ${stale.length}, audit rows ${entries.length}`,
    );
    expect(ok).toHaveLength(1);
    expect(stale).toHaveLength(CONCURRENT - 1);
    expect(ok[0]!.headers.get('etag')).toBe('"1"');
    for (const r of stale) {
      expect(r.headers.get('etag')).toBe('"1"');
      await expectError(r, 412, 'precondition_failed');
    }
    expect(entries).toHaveLength(1);
  });

  it(`gives each applied change of ${CONCURRENT} concurrent PUTs without If-Match one audit row and one version`, async () => {
    const tenant = newTenant();
    const token = await adminToken(tenant, ['security-admin']);
    const responses = await Promise.all(
      Array.from({ length: CONCURRENT }, (_, i) =>
        put(tenant, token, i % 2 === 0 ? { enabled: true } : { enabled: false, feedback: `${i}` }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(CONCURRENT).fill(200));
    const states = (await Promise.all(responses.map((r) => r.json()))) as State[];
    // A change answers its new version; setting the current value answers the current one.
    const applied = new Map(states.filter((s) => s.version > 0).map((s) => [s.version, s]));
    const versions = [...applied.keys()].sort((a, b) => a - b);
    const entries = await auditViaApi(tenant, token);
    const exported = await exportJson(tenant, token);
    const final = (await (
      await api('GET', `/tenants/${tenant}/redirection/endpoint`, { token })
    ).json()) as State;
    console.log(
      `API no If-Match: requests ${CONCURRENT}, 200s ${states.length}, applied ${applied.size}, ` +
        `audit rows ${entries.length}, versions 1..${final.version}, lost ${applied.size - entries.length}`,
    );
    expect(applied.size).toBeGreaterThan(0);
    expect(versions).toEqual(Array.from({ length: applied.size }, (_, i) => i + 1));
    expect(entries).toHaveLength(applied.size);
    expect(new Set(entries.map((e) => e.id)).size).toBe(entries.length);
    // Newest first: versions N..1 without a gap, each entry the change its version answered.
    expect(exported.map((e) => e.version)).toEqual([...versions].reverse());
    expect(exported.map((e) => e.id)).toEqual(entries.map((e) => e.id));
    for (const e of exported) expect(e.enabled).toBe(applied.get(e.version)!.enabled);
    // The log chains: each row's previous value is what the version before it set. Version 1
    // starts from Endpoint's default (off): a first choice is stored even when it equals it.
    for (const e of exported) {
      const before = e.version === 1 ? false : applied.get(e.version - 1)!.enabled;
      expect(e.previous, `version ${e.version}`).toBe(before);
    }
    const last = applied.get(versions[versions.length - 1]!)!;
    expect(final).toMatchObject({ version: last.version, enabled: last.enabled });
    const kv = parseToggleRecord(await testEnv.TOGGLES.get(keys.toggle(tenant, 'endpoint')));
    expect(kv).toMatchObject({ version: last.version, enabled: last.enabled });
  });
});

describe('settings API: per-tenant rate limit', () => {
  it('answers 429 rate_limited with Retry-After over the limit, and writes nothing', async () => {
    const tenant = newTenant();
    const token = await adminToken(tenant, ['security-admin']);
    configure(tenant, { writesPerMinute: 3 });
    for (const enabled of [true, false, true]) {
      expect((await put(tenant, token, { enabled })).status).toBe(200);
    }
    const before = await testEnv.TOGGLES.get(keys.toggle(tenant, 'endpoint'));
    const limited = await put(tenant, token, { enabled: false, feedback: 'one too many' });
    // 3 a minute: the next change is possible in about 20 s.
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(19);
    expect(retryAfter).toBeLessThanOrEqual(20);
    await expectError(limited, 429, 'rate_limited');
    expect(await testEnv.TOGGLES.get(keys.toggle(tenant, 'endpoint'))).toBe(before);
    expect(await auditRowCount(tenant)).toBe(3);
    const state = (await (
      await api('GET', `/tenants/${tenant}/redirection/endpoint`, { token })
    ).json()) as State;
    expect(state).toMatchObject({ enabled: true, version: 3 });
    // Reads are not limited, and another tenant has its own allowance.
    expect((await api('GET', `/tenants/${tenant}/redirection`, { token })).status).toBe(200);
    const other = newTenant();
    expect(
      (await put(other, await adminToken(other, ['global-admin']), { enabled: true })).status,
    ).toBe(200);
  });
});

describe('settings API: audit log', () => {
  const alice = { oid: '0f0f0f0f-0000-4000-8000-00000000a11c', upn: 'Alice@Contoso.test' };
  const bob = { oid: '0f0f0f0f-0000-4000-8000-000000000b0b', upn: 'bob@contoso.test' };

  it('reads newest first, filters by product, actor and time, and pages with a stable cursor', async () => {
    const tenant = newTenant();
    const as = async (who: typeof alice) =>
      adminToken(tenant, ['global-admin'], { oid: who.oid, preferred_username: who.upn });
    const reader = await adminToken(tenant, ['security-reader']);
    const changes = [
      [alice, 'endpoint', true],
      [alice, 'office', false],
      [bob, 'endpoint', false],
      [bob, 'identity', true],
      [alice, 'identity', false],
      [bob, 'office', true],
    ] as const;
    for (const [who, product, enabled] of changes) {
      const res = await api('PUT', `/tenants/${tenant}/redirection/${product}`, {
        token: await as(who),
        body: { enabled },
      });
      expect(res.status).toBe(200);
    }
    const all = await auditViaApi(tenant, reader);
    expect(all.map((e) => [e.product, e.enabled])).toEqual(
      [...changes].reverse().map(([, product, enabled]) => [product, enabled]),
    );
    const first = (await (
      await api('GET', `/tenants/${tenant}/redirection/audit?limit=4`, { token: reader })
    ).json()) as { entries: AuditEntry[]; cursor: string };
    // A change between two pages does not shift the second page.
    await api('PUT', `/tenants/${tenant}/redirection/cloudapps`, {
      token: await as(bob),
      body: { enabled: true },
    });
    const second = (await (
      await api(
        'GET',
        `/tenants/${tenant}/redirection/audit?limit=4&cursor=${encodeURIComponent(first.cursor)}`,
        { token: reader },
      )
    ).json()) as { entries: AuditEntry[]; cursor: string | null };
    expect(second.cursor).toBeNull();
    expect([...first.entries, ...second.entries].map((e) => e.id)).toEqual(all.map((e) => e.id));

    const byProduct = await auditViaApi(tenant, reader, '&product=office');
    expect(byProduct.map((e) => e.product)).toEqual(['office', 'office']);
    const byUpn = await auditViaApi(
      tenant,
      reader,
      `&actor=${encodeURIComponent('ALICE@contoso.test')}`,
    );
    expect(byUpn).toHaveLength(3);
    const byOid = await auditViaApi(tenant, reader, `&actor=${bob.oid}`);
    expect(byOid).toHaveLength(4);
    expect(byOid.every((e) => e.actor.oid === bob.oid)).toBe(true);
    const pivot = all[2]!.at;
    const from = await auditViaApi(tenant, reader, `&from=${encodeURIComponent(pivot)}`);
    const to = await auditViaApi(tenant, reader, `&to=${encodeURIComponent(pivot)}`);
    expect(from.length + to.length).toBe(7);
    expect(from.every((e) => e.at >= pivot) && to.every((e) => e.at < pivot)).toBe(true);
    // The public entry carries no internal version.
    expect(all[0]).not.toHaveProperty('version');
  });

  it('exports the whole log as CSV and JSON to readers, formula-safe, as an attachment', async () => {
    const tenant = newTenant();
    const token = await adminToken(tenant, ['security-admin']);
    const hostile = ['=HYPERLINK("http://evil.test")', '+1', '-1', '@SUM(A1)', 'plain, "quoted"'];
    for (const feedback of hostile) {
      expect((await put(tenant, token, { enabled: true })).status).toBe(200);
      expect((await put(tenant, token, { enabled: false, feedback })).status).toBe(200);
    }
    const reader = await adminToken(tenant, ['security-reader']);
    const json = await api('GET', `/tenants/${tenant}/redirection/audit/export?format=json`, {
      token: reader,
    });
    expect(json.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(json.headers.get('cache-control')).toBe('no-store');
    expect(json.headers.get('content-disposition')).toMatch(
      new RegExp(`^attachment; filename="audit-${tenant}-\\d{4}-\\d{2}-\\d{2}\\.json"$`),
    );
    const entries = ((await json.json()) as { tenantId: string; entries: AuditEntry[] }).entries;
    expect(entries).toHaveLength(hostile.length * 2);
    expect(entries.map((e) => e.version)).toEqual(
      Array.from({ length: entries.length }, (_, i) => entries.length - i),
    );

    const csv = await api('GET', `/tenants/${tenant}/redirection/audit/export?format=csv`, {
      token: reader,
    });
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toMatch(
      /^attachment; filename="audit-.+\.csv"$/,
    );
    const rows = parseCsv(await csv.text());
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    const col = (name: (typeof CSV_COLUMNS)[number]) => CSV_COLUMNS.indexOf(name);
    // CSV parses back to the JSON rows; a cell a spreadsheet would run starts with an apostrophe.
    expect(rows.slice(1).map((r) => r[col('id')])).toEqual(entries.map((e) => e.id));
    expect(rows.slice(1).map((r) => Number(r[col('version')]))).toEqual(
      entries.map((e) => e.version),
    );
    const feedback = rows
      .slice(1)
      .map((r) => r[col('feedback')])
      .filter((f) => f !== '');
    expect(feedback.reverse()).toEqual([
      '\'=HYPERLINK("http://evil.test")',
      "'+1",
      "'-1",
      "'@SUM(A1)",
      'plain, "quoted"',
    ]);
    for (const cell of rows.flat()) expect(cell).not.toMatch(/^[=+\-@]/);

    // Another tenant's token cannot export this tenant's log.
    const stranger = await adminToken(newTenant(), ['global-admin']);
    await expectError(
      await api('GET', `/tenants/${tenant}/redirection/audit/export?format=csv`, {
        token: stranger,
      }),
      403,
      'forbidden',
    );
  });
});

describe('settings API: KV is written after commit', () => {
  it('answers 200 when the KV write fails; the alarm converges KV and the edge follows, nothing lost or duplicated', async () => {
    const tenant = newTenant();
    const token = await adminToken(tenant, ['security-admin']);
    const stub = settingsOf(tenant);
    const faults = faultyKv(testEnv.TOGGLES, { put: '429' });
    overrideDeps(tenant, { kv: faults.kv });

    const on = await put(tenant, token, { enabled: true }, { 'If-Match': '"0"' });
    expect(on.status).toBe(200);
    expect(on.headers.get('etag')).toBe('"1"');
    const off = await put(
      tenant,
      token,
      { enabled: false, feedback: 'wait' },
      { 'If-Match': '"1"' },
    );
    expect(off.status).toBe(200);
    expect(off.headers.get('etag')).toBe('"2"');
    expect(faults.injected).toBeGreaterThanOrEqual(2);
    // Committed: the API reads the object's state; KV (the edge) still has nothing.
    const state = (await (
      await api('GET', `/tenants/${tenant}/redirection/endpoint`, { token })
    ).json()) as State;
    expect(state).toMatchObject({ enabled: false, version: 2, source: 'tenant' });
    expect(await testEnv.TOGGLES.get(keys.toggle(tenant, 'endpoint'))).toBeNull();
    expect(await edgeReason(tenant)).toBe('default-off');
    expect(unwrap(await stub.syncStatus(tenant)).pending).toEqual(['endpoint']);

    // A change to enable while KV still refuses, then KV recovers and the alarm runs.
    expect((await put(tenant, token, { enabled: true })).status).toBe(200);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(unwrap(await stub.syncStatus(tenant)).pending).toEqual(['endpoint']);
    faults.mode.put = 'ok';
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(unwrap(await stub.syncStatus(tenant)).pending).toEqual([]);

    const kv = parseToggleRecord(await testEnv.TOGGLES.get(keys.toggle(tenant, 'endpoint')));
    expect(kv).toMatchObject({ enabled: true, version: 3 });
    expect(await edgeReason(tenant)).toBe('toggle-on');
    const entries = await exportJson(tenant, token);
    expect(entries.map((e) => [e.version, e.enabled])).toEqual([
      [3, true],
      [2, false],
      [1, true],
    ]);
    expect(new Set(entries.map((e) => e.id)).size).toBe(3);
  });
});
