/**
 * Scheduled changes: set through the API, applied by the tenant's object's alarm at their time,
 * once, on behalf of the admin who set them; cancellable before.
 */
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { PRODUCTS } from '../src/catalogue/products';
import type { Env } from '../src/config';
import worker from '../src/index';
import type { TenantSettings } from '../src/objects/tenant-settings';
import type { ScheduledChange } from '../src/objects/types';
import { keys, parseToggleRecord } from '../src/store/records';
import { adminToken, api, apiRequest, expectError } from './api-helpers';
import { newTenant, testEnv } from './helpers';
import { Browser } from './settings-page-browser';
import { configure, dumpSql, settingsOf } from './tenant-settings-helpers';

const LEAD_MS = 150;

/** A tenant whose object accepts schedules `LEAD_MS` ahead (the default minimum is a minute). */
async function tenantWithShortLead(): Promise<{ tenant: string; token: string }> {
  const tenant = newTenant();
  const token = await adminToken(tenant, ['security-admin'], { name: 'Ada', oid: 'oid-ada' });
  // The first read imports and creates the object; then shorten its minimum lead.
  expect((await api('GET', `/tenants/${tenant}/redirection`, { token })).status).toBe(200);
  await configure(tenant, { scheduleMinLeadMs: LEAD_MS });
  return { tenant, token };
}

async function schedule(
  tenant: string,
  token: string,
  body: Record<string, unknown>,
): Promise<Response> {
  return api('POST', `/tenants/${tenant}/redirection/schedules`, { token, body });
}

const soon = (ms = LEAD_MS + 50) => new Date(Date.now() + ms).toISOString();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function auditEntries(tenant: string, token: string) {
  const res = await api('GET', `/tenants/${tenant}/redirection/audit`, { token });
  return ((await res.json()) as { entries: Record<string, unknown>[] }).entries;
}

describe('scheduled changes', () => {
  it('are listed, set the alarm, and are applied once at their time on behalf of the admin', async () => {
    const { tenant, token } = await tenantWithShortLead();
    const at = soon();
    const res = await schedule(tenant, token, { product: 'endpoint', mode: 'observe', at });
    expect(res.status).toBe(201);
    const created = (await res.json()) as ScheduledChange;
    expect(created).toMatchObject({ product: 'endpoint', mode: 'observe', at });
    expect(created.actor).toMatchObject({ oid: 'oid-ada', name: 'Ada' });
    const list = await api('GET', `/tenants/${tenant}/redirection/schedules`, { token });
    expect(((await list.json()) as { schedules: ScheduledChange[] }).schedules).toEqual([created]);
    const stub = settingsOf(tenant);
    expect(await runInDurableObject(stub, (_i, state) => state.storage.getAlarm())).toBe(
      Date.parse(at),
    );

    // Not yet due: the alarm changes nothing.
    await runDurableObjectAlarm(stub);
    expect(await auditEntries(tenant, token)).toEqual([]);

    await sleep(Date.parse(at) - Date.now() + 20);
    await runDurableObjectAlarm(stub);
    const entries = await auditEntries(tenant, token);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      product: 'endpoint',
      mode: 'observe',
      previousMode: 'off',
      via: 'schedule',
      actor: { oid: 'oid-ada', name: 'Ada' },
    });
    const record = parseToggleRecord(await testEnv.TOGGLES.get(keys.toggle(tenant, 'endpoint')));
    expect(record).toMatchObject({ mode: 'observe', version: 1 });
    const after = await api('GET', `/tenants/${tenant}/redirection/schedules`, { token });
    expect(((await after.json()) as { schedules: unknown[] }).schedules).toEqual([]);

    // The alarm again (a retry, a restart): applied once.
    await runDurableObjectAlarm(stub);
    expect(await auditEntries(tenant, token)).toHaveLength(1);
  });

  it('survive the object restarting, and still apply once', async () => {
    const { tenant, token } = await tenantWithShortLead();
    const at = soon();
    expect((await schedule(tenant, token, { product: 'office', mode: 'off', at })).status).toBe(
      201,
    );
    const stub = settingsOf(tenant);
    await evictDurableObject(stub);
    await sleep(Date.parse(at) - Date.now() + 20);
    await runDurableObjectAlarm(stub);
    await evictDurableObject(stub);
    await runDurableObjectAlarm(stub);
    const entries = await auditEntries(tenant, token);
    expect(entries.map((e) => [e.product, e.mode, e.via])).toEqual([['office', 'off', 'schedule']]);
    const state = await api('GET', `/tenants/${tenant}/redirection/office`, { token });
    expect(await state.json()).toMatchObject({ mode: 'off', version: 1 });
  });

  it('cancelled before their time change nothing', async () => {
    const { tenant, token } = await tenantWithShortLead();
    const at = soon();
    const res = await schedule(tenant, token, { product: 'endpoint', mode: 'on', at });
    const { id } = (await res.json()) as ScheduledChange;
    const before = await dumpSql(tenant);
    const cancel = await api('DELETE', `/tenants/${tenant}/redirection/schedules/${id}`, {
      token,
    });
    expect(cancel.status).toBe(200);
    await sleep(Date.parse(at) - Date.now() + 20);
    await runDurableObjectAlarm(settingsOf(tenant));
    const after = await dumpSql(tenant);
    expect(after.toggles).toEqual(before.toggles);
    expect(after.audit).toEqual(before.audit);
    expect(await testEnv.TOGGLES.get(keys.toggle(tenant, 'endpoint'))).toBeNull();
    await expectError(
      await api('DELETE', `/tenants/${tenant}/redirection/schedules/${id}`, { token }),
      404,
      'not_found',
    );
  });

  it('refuse a past time, one closer than the minimum lead, and say why', async () => {
    const { tenant, token } = await tenantWithShortLead();
    const past = await schedule(tenant, token, {
      product: 'endpoint',
      mode: 'on',
      at: new Date(Date.now() - 60_000).toISOString(),
    });
    await expectError(past.clone(), 400, 'invalid_request');
    expect(((await past.json()) as { message: string }).message).toMatch(/seconds from now/);
    const close = await schedule(tenant, token, { product: 'endpoint', mode: 'on', at: soon(10) });
    await expectError(close, 400, 'invalid_request');
    await expectError(
      await schedule(tenant, token, { product: 'endpoint', mode: 'maybe', at: soon() }),
      400,
      'invalid_request',
    );
    const list = await api('GET', `/tenants/${tenant}/redirection/schedules`, { token });
    expect(((await list.json()) as { schedules: unknown[] }).schedules).toEqual([]);
  });

  it('refuse a locked product with 409, and the object drops one that became locked', async () => {
    const tenant = newTenant();
    const token = await adminToken(tenant, ['global-admin']);
    const env = {
      ...testEnv,
      LOCKED_PRODUCTS: JSON.stringify({ endpoint: '2020-01-01T00:00:00Z' }),
    } as Env;
    const req = apiRequest('POST', `/tenants/${tenant}/redirection/schedules`, {
      token,
      body: { product: 'endpoint', mode: 'off', at: soon(120_000) },
    });
    await expectError(await worker.fetch(req, env), 409, 'locked');

    const other = await tenantWithShortLead();
    const at = soon();
    await schedule(other.tenant, other.token, { product: 'identity', mode: 'off', at });
    const stub = settingsOf(other.tenant);
    await runInDurableObject(stub, (instance: TenantSettings) => {
      instance.products = PRODUCTS.map((p) =>
        p.id === 'identity' ? { ...p, locked: { effectiveFrom: '2020-01-01T00:00:00Z' } } : p,
      );
    });
    await sleep(Date.parse(at) - Date.now() + 20);
    await runDurableObjectAlarm(stub);
    expect(await auditEntries(other.tenant, other.token)).toEqual([]);
    const list = await api('GET', `/tenants/${other.tenant}/redirection/schedules`, {
      token: other.token,
    });
    expect(((await list.json()) as { schedules: unknown[] }).schedules).toEqual([]);
  });

  it('need the write role to set or cancel', async () => {
    const { tenant, token } = await tenantWithShortLead();
    const reader = await adminToken(tenant, ['security-reader']);
    await expectError(
      await schedule(tenant, reader, { product: 'endpoint', mode: 'on', at: soon(60_000) }),
      403,
      'forbidden',
    );
    const res = await schedule(tenant, token, {
      product: 'endpoint',
      mode: 'on',
      at: soon(60_000),
    });
    const { id } = (await res.json()) as ScheduledChange;
    await expectError(
      await api('DELETE', `/tenants/${tenant}/redirection/schedules/${id}`, { token: reader }),
      403,
      'forbidden',
    );
    const list = await api('GET', `/tenants/${tenant}/redirection/schedules`, { token: reader });
    expect(((await list.json()) as { schedules: unknown[] }).schedules).toHaveLength(1);
  });
});

describe('scheduled changes on the settings page', () => {
  it('are set with the form (UTC), listed, and cancelled; a past time is refused', async () => {
    const b = new Browser();
    const tenant = newTenant();
    await b.signIn(tenant, 'security-admin');
    const html = await (await b.go('/settings')).text();
    expect(html).toContain('id="h-schedules"');
    const local = new Date(Date.now() + 86_400_000).toISOString().slice(0, 19);
    const set = await b.go('/settings/schedules', {
      method: 'POST',
      form: { csrf: b.csrf(html), product: 'identity', mode: 'observe', at: local },
    });
    expect(set.headers.get('location')).toBe('/settings?done=scheduled');
    const listed = await (await b.go('/settings?done=scheduled')).text();
    const id = /data-schedule="([0-9a-f-]{36})"/.exec(listed)?.[1];
    expect(id).toBeDefined();
    expect(listed).toContain('Scheduled.');
    const token = await adminToken(tenant, ['security-reader']);
    const api1 = await api('GET', `/tenants/${tenant}/redirection/schedules`, { token });
    expect(((await api1.json()) as { schedules: ScheduledChange[] }).schedules).toMatchObject([
      { id, product: 'identity', mode: 'observe', at: `${local}.000Z` },
    ]);
    const cancel = await b.go(`/settings/schedules/${id}/cancel`, {
      method: 'POST',
      form: { csrf: b.csrf(listed) },
    });
    expect(cancel.headers.get('location')).toBe('/settings?done=cancelled');
    expect(await (await b.go('/settings')).text()).not.toContain('data-schedule=');
    const past = await b.go('/settings/schedules', {
      method: 'POST',
      form: { csrf: b.csrf(listed), product: 'identity', mode: 'on', at: '2020-01-01T00:00' },
    });
    expect(past.headers.get('location')).toBe('/settings?error=schedule');
  });
});
