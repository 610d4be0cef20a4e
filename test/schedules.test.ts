/**
 * Scheduled changes: set through the API, applied by the tenant's object's alarm at their time,
 * once, on behalf of the admin who set them; cancellable before.
 */
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { PRODUCTS } from '../src/catalogue/products';
import type { Env } from '../src/config';
import worker from '../src/index';
import type { ScheduledChange } from '../src/model/changes';
import { keys, parseToggleRecord } from '../src/store/records';
import { adminToken, api, apiRequest, expectError } from './api-helpers';
import { newTenant, testEnv } from './helpers';
import { Browser } from './settings-page-browser';
import { dumpSql, setClock, settingsOf } from './tenant-settings-helpers';
import { overrideDeps } from './settings-deps';

/** The object's minimum lead (the default, SCHEDULE_MIN_LEAD_SECONDS = 60). */
const LEAD_MS = 60_000;
/** The time every test's object stands at: none waits on the wall clock. */
let t0 = 0;

/** A tenant whose object's clock stands at `t0` until a test moves it (`setClock`). */
async function tenantWithClock(): Promise<{ tenant: string; token: string }> {
  const tenant = newTenant();
  const token = await adminToken(tenant, ['security-admin'], { name: 'Ada', oid: 'oid-ada' });
  // The first read imports and creates the object; then stop its clock.
  expect((await api('GET', `/tenants/${tenant}/redirection`, { token })).status).toBe(200);
  t0 = Date.now();
  setClock(tenant, t0);
  return { tenant, token };
}

/** When the object's time has passed `at`: its alarm finds the schedule due. */
const pastIt = (at: string) => Date.parse(at) + 1;

async function schedule(
  tenant: string,
  token: string,
  body: Record<string, unknown>,
): Promise<Response> {
  return api('POST', `/tenants/${tenant}/redirection/schedules`, { token, body });
}

/** `ms` after the object's time: by default just past the minimum lead. */
const soon = (ms = LEAD_MS + 1_000) => new Date(t0 + ms).toISOString();

async function auditEntries(tenant: string, token: string) {
  const res = await api('GET', `/tenants/${tenant}/redirection/audit`, { token });
  return ((await res.json()) as { entries: Record<string, unknown>[] }).entries;
}

/** The entries that changed a setting (not a schedule set or cancelled). */
async function changes(tenant: string, token: string) {
  return (await auditEntries(tenant, token)).filter((e) => e.event === 'change');
}

describe('scheduled changes', () => {
  it("take the product's default when they apply, not when they were set", async () => {
    const { tenant, token } = await tenantWithClock();
    // Endpoint becomes on by default half an hour from now; "off" is set for an hour from now.
    const flips = new Date(t0 + 30 * 60_000).toISOString();
    overrideDeps(tenant, {
      products: PRODUCTS.map((p) =>
        p.id === 'endpoint' ? { ...p, phases: { onByDefaultFrom: flips, lockedFrom: null } } : p,
      ),
    });
    const at = soon(60 * 60_000);
    expect((await schedule(tenant, token, { product: 'endpoint', mode: 'off', at })).status).toBe(
      201,
    );
    setClock(tenant, pastIt(at));
    await runDurableObjectAlarm(settingsOf(tenant));
    // Off from the default that holds then (on): a change, not "already off".
    expect(await changes(tenant, token)).toMatchObject([
      { product: 'endpoint', mode: 'off', previousMode: 'on', via: 'schedule' },
    ]);
    const record = parseToggleRecord(await testEnv.TOGGLES.get(keys.toggle(tenant, 'endpoint')));
    expect(record).toMatchObject({ mode: 'off', version: 1 });
  });

  it('are listed, set the alarm, and are applied once at their time on behalf of the admin', async () => {
    const { tenant, token } = await tenantWithClock();
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

    // Setting it is audited: who, what, for when; the setting itself is unchanged.
    expect(await auditEntries(tenant, token)).toMatchObject([
      {
        event: 'schedule-created',
        product: 'endpoint',
        mode: 'observe',
        previousMode: 'off',
        scheduledFor: at,
        actor: { oid: 'oid-ada', name: 'Ada' },
      },
    ]);
    // Not yet due: the alarm changes nothing.
    await runDurableObjectAlarm(stub);
    expect(await changes(tenant, token)).toEqual([]);

    setClock(tenant, pastIt(at));
    await runDurableObjectAlarm(stub);
    const entries = await changes(tenant, token);
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
    expect(await changes(tenant, token)).toHaveLength(1);
  });

  it('survive the object restarting, and still apply once', async () => {
    const { tenant, token } = await tenantWithClock();
    const at = soon();
    expect((await schedule(tenant, token, { product: 'office', mode: 'off', at })).status).toBe(
      201,
    );
    const stub = settingsOf(tenant);
    await evictDurableObject(stub);
    setClock(tenant, pastIt(at));
    await runDurableObjectAlarm(stub);
    await evictDurableObject(stub);
    await runDurableObjectAlarm(stub);
    const entries = await changes(tenant, token);
    expect(entries.map((e) => [e.product, e.mode, e.via])).toEqual([['office', 'off', 'schedule']]);
    const state = await api('GET', `/tenants/${tenant}/redirection/office`, { token });
    expect(await state.json()).toMatchObject({ mode: 'off', version: 1 });
  });

  it('cancelled before their time change nothing; the cancelling is audited', async () => {
    const { tenant, token } = await tenantWithClock();
    const at = soon();
    const res = await schedule(tenant, token, { product: 'endpoint', mode: 'on', at });
    const { id } = (await res.json()) as ScheduledChange;
    const before = await dumpSql(tenant);
    const colleague = await adminToken(tenant, ['security-admin'], { name: 'Bo', oid: 'oid-bo' });
    const cancel = await api('DELETE', `/tenants/${tenant}/redirection/schedules/${id}`, {
      token: colleague,
    });
    expect(cancel.status).toBe(200);
    setClock(tenant, pastIt(at));
    await runDurableObjectAlarm(settingsOf(tenant));
    const after = await dumpSql(tenant);
    expect(after.toggles).toEqual(before.toggles);
    // One row more: who cancelled whose change, for when.
    const [was, is] = [before.audit ?? [], after.audit ?? []];
    expect(is.slice(0, was.length)).toEqual(was);
    expect(is.slice(was.length)).toMatchObject([
      { event: 'schedule-cancelled', actor_oid: 'oid-bo', mode: 'on', scheduled_for: at },
    ]);
    expect(await testEnv.TOGGLES.get(keys.toggle(tenant, 'endpoint'))).toBeNull();
    // Cancelling it again: gone, and the answer says who was first.
    const again = await api('DELETE', `/tenants/${tenant}/redirection/schedules/${id}`, { token });
    await expectError(again.clone(), 404, 'not_found');
    expect(((await again.json()) as { message: string }).message).toContain('cancelled by Bo');
  });

  it('cancelling one that was applied meanwhile says so and changes nothing', async () => {
    const { tenant, token } = await tenantWithClock();
    const at = soon();
    const { id } = (await (
      await schedule(tenant, token, { product: 'identity', mode: 'on', at })
    ).json()) as ScheduledChange;
    setClock(tenant, pastIt(at));
    await runDurableObjectAlarm(settingsOf(tenant));
    const gone = await api('DELETE', `/tenants/${tenant}/redirection/schedules/${id}`, { token });
    await expectError(gone.clone(), 404, 'not_found');
    expect(((await gone.json()) as { message: string }).message).toContain('already applied');
    expect(await changes(tenant, token)).toHaveLength(1);
  });

  it('refuse a past time, one closer than the minimum lead, and say why', async () => {
    const { tenant, token } = await tenantWithClock();
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

    const other = await tenantWithClock();
    const at = soon();
    await schedule(other.tenant, other.token, { product: 'identity', mode: 'off', at });
    const stub = settingsOf(other.tenant);
    overrideDeps(other.tenant, {
      products: PRODUCTS.map((p) =>
        p.id === 'identity'
          ? { ...p, phases: { ...p.phases, lockedFrom: '2020-01-01T00:00:00Z' } }
          : p,
      ),
    });
    setClock(other.tenant, pastIt(at));
    await runDurableObjectAlarm(stub);
    expect(await changes(other.tenant, other.token)).toEqual([]);
    const list = await api('GET', `/tenants/${other.tenant}/redirection/schedules`, {
      token: other.token,
    });
    expect(((await list.json()) as { schedules: unknown[] }).schedules).toEqual([]);
  });

  it('need the write role to set or cancel', async () => {
    const { tenant, token } = await tenantWithClock();
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
  it('are set with the form, listed, and cancelled; a past time is refused with the form kept', async () => {
    const b = new Browser();
    const tenant = newTenant();
    await b.signIn(tenant, 'security-admin');
    const html = await (await b.go('/settings')).text();
    expect(html).toContain('id="h-schedules"');
    // Without script the field is UTC (its label says so).
    expect(html).toContain('At (UTC)');
    const local = new Date(Date.now() + 86_400_000).toISOString().slice(0, 19);
    const set = await b.go('/settings/schedules', {
      method: 'POST',
      form: { csrf: b.csrf(html), product: 'identity', mode: 'observe', at: local },
    });
    expect(set.headers.get('location')).toBe('/settings?done=scheduled#schedules');
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
    expect(cancel.headers.get('location')).toBe('/settings?done=cancelled#schedules');
    expect(await (await b.go('/settings')).text()).not.toContain('data-schedule=');
    const past = await b.go('/settings/schedules', {
      method: 'POST',
      form: { csrf: b.csrf(listed), product: 'identity', mode: 'on', at: '2020-01-01T00:00' },
    });
    expect(past.status).toBe(400);
    const refused = await past.text();
    expect(refused).toContain('Pick a time at least 60 seconds from now.');
    // The form keeps what was sent.
    expect(refused).toMatch(/<option value="identity" selected="">/);
    expect(refused).toMatch(/<option value="on" selected="">/);
    expect(refused).toContain('value="2020-01-01T00:00"');
  });

  it("the script's UTC instant wins over the field: the admin's own time is meant", async () => {
    const b = new Browser();
    const tenant = newTenant();
    await b.signIn(tenant, 'security-admin');
    const html = await (await b.go('/settings')).text();
    // 09:00 in Amsterdam (UTC+1 in winter), as the page's script sends it.
    const day = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
    const set = await b.go('/settings/schedules', {
      method: 'POST',
      form: {
        csrf: b.csrf(html),
        product: 'endpoint',
        mode: 'on',
        at: `${day}T09:00`,
        atUtc: `${day}T08:00:00.000Z`,
      },
    });
    expect(set.status).toBe(303);
    const token = await adminToken(tenant, ['security-reader']);
    const list = await api('GET', `/tenants/${tenant}/redirection/schedules`, { token });
    expect(((await list.json()) as { schedules: ScheduledChange[] }).schedules[0]?.at).toBe(
      `${day}T08:00:00.000Z`,
    );
  });

  it('cancelling a change a colleague cancelled first says who, and changes nothing', async () => {
    const b = new Browser();
    const tenant = newTenant();
    await b.signIn(tenant, 'security-admin', 'Ada Admin');
    const html = await (await b.go('/settings')).text();
    const at = new Date(Date.now() + 86_400_000).toISOString().slice(0, 19);
    await b.go('/settings/schedules', {
      method: 'POST',
      form: { csrf: b.csrf(html), product: 'identity', mode: 'on', at },
    });
    const stale = await (await b.go('/settings')).text();
    const id = /data-schedule="([0-9a-f-]{36})"/.exec(stale)?.[1] as string;
    const colleague = await adminToken(tenant, ['security-admin'], { name: 'Bo Colleague' });
    await api('DELETE', `/tenants/${tenant}/redirection/schedules/${id}`, { token: colleague });
    const res = await b.go(`/settings/schedules/${id}/cancel`, {
      method: 'POST',
      form: { csrf: b.csrf(stale) },
    });
    expect(res.status).toBe(409);
    const page = await res.text();
    expect(page).toContain('This scheduled change was already cancelled by Bo Colleague');
    expect(page).not.toContain('Pick a time');
  });
});
