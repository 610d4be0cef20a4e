import { describe, expect, it } from 'vitest';
import { IsolateCache } from '../src/store/cache';
import { keys } from '../src/store/records';
import { decisionOf, fetchWith, navigation, newTenant, seedToggle, testEnv } from './helpers';
import { faultyKv } from './kv-faults';

const MDE = 'https://securitycenter.windows.com';
const OFFICE = 'https://protection.office.com';

describe('caching', () => {
  it('makes no KV read for a tenant whose state is cached, and one read otherwise', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'endpoint', true);
    const counted = faultyKv(testEnv.TOGGLES);
    const env = { TOGGLES: counted.kv };
    // A new tenant key: the first request reads once.
    const other = newTenant();
    await fetchWith(env, navigation(`${MDE}/alerts?tid=${other}`));
    expect(counted.calls.get).toBe(1);
    await fetchWith(env, navigation(`${MDE}/alerts?tid=${other}`));
    await fetchWith(env, navigation(`${MDE}/incidents?tid=${other}`));
    expect(counted.calls.get).toBe(1);
    // Seeded through its object: one read of the record it wrote, then none.
    for (const path of ['alerts', 'incidents']) {
      const res = await fetchWith(env, navigation(`${MDE}/${path}?tid=${tenant}`));
      expect(decisionOf(res).decision).toBe('redirect');
    }
    expect(counted.calls.get).toBe(2);
  });

  it('sees a change made elsewhere once the isolate entry expires', async () => {
    const tenant = newTenant();
    const env = { TOGGLE_CACHE_TTL_SECONDS: '0' };
    expect(decisionOf(await fetchWith(env, navigation(`${MDE}/alerts?tid=${tenant}`))).reason).toBe(
      'default-off',
    );
    // Another location wrote the toggle straight to KV.
    await testEnv.TOGGLES.put(
      keys.toggle(tenant, 'endpoint'),
      JSON.stringify({ enabled: true, version: 1 }),
    );
    expect(decisionOf(await fetchWith(env, navigation(`${MDE}/alerts?tid=${tenant}`))).reason).toBe(
      'toggle-on',
    );
  });
});

describe('the isolate cache bound', () => {
  it('never holds more than its bound, and keeps most of it', () => {
    const cache = new IsolateCache<number>(64);
    for (let i = 0; i < 1000; i++) {
      cache.set(`tenant-${i}`, i, Infinity);
      expect(cache.size).toBeLessThanOrEqual(64);
    }
    expect(cache.lastSeen('tenant-0')).toBeUndefined();
    expect(cache.fresh('tenant-999', 0)).toBe(999);
    // Eviction drops a few of the oldest, not everything: most tenants stay warm.
    expect(cache.size).toBeGreaterThanOrEqual(60);
  });

  it('drops the oldest writes first; writing a key again makes it new', () => {
    const cache = new IsolateCache<number>(64);
    cache.set('first', 0, Infinity);
    for (let i = 0; i < 62; i++) cache.set(`k-${i}`, i, Infinity);
    cache.set('first', 1, Infinity);
    cache.set('k-62', 62, Infinity);
    cache.set('k-63', 63, Infinity); // one over the bound
    expect(cache.size).toBeLessThanOrEqual(64);
    expect(cache.fresh('first', 0)).toBe(1);
    expect(cache.lastSeen('k-0')).toBeUndefined();
    expect(cache.fresh('k-63', 0)).toBe(63);

    // The smallest bound still keeps the newest write.
    const one = new IsolateCache<number>(1);
    one.set('a', 1, Infinity);
    one.set('b', 2, Infinity);
    expect(one.size).toBe(1);
    expect(one.fresh('b', 0)).toBe(2);
  });
});

describe('KV faults on the edge: never a 5xx, store-unavailable', () => {
  it('uses the catalogue default when KV throws and nothing was seen', async () => {
    const faulty = faultyKv(testEnv.TOGGLES, { get: 'throw' });
    const env = { TOGGLES: faulty.kv };
    const office = await fetchWith(env, navigation(`${OFFICE}/antispam?tid=${newTenant()}`));
    expect(office.status).toBe(302);
    expect(decisionOf(office)).toEqual({ decision: 'redirect', reason: 'store-unavailable' });
    const mde = await fetchWith(env, navigation(`${MDE}/alerts?tid=${newTenant()}`));
    expect(decisionOf(mde)).toEqual({ decision: 'pass', reason: 'store-unavailable' });
    // The legacy portal answered (its own redirect to sign in): the request reached it.
    expect(mde.headers.get('x-demo-origin')).toBe('1');
  });

  it('uses the last value this isolate saw, and recovers without a restart', async () => {
    const tenant = newTenant();
    // Written straight to KV (as another location would), so this isolate has not cached it.
    await testEnv.TOGGLES.put(
      keys.toggle(tenant, 'endpoint'),
      JSON.stringify({ enabled: true, version: 1 }),
    );
    const faulty = faultyKv(testEnv.TOGGLES);
    const env = { TOGGLES: faulty.kv, TOGGLE_CACHE_TTL_SECONDS: '0' };
    const url = `${MDE}/alerts?tid=${tenant}`;
    expect(decisionOf(await fetchWith(env, navigation(url))).reason).toBe('toggle-on');
    faulty.mode.get = 'throw';
    expect(decisionOf(await fetchWith(env, navigation(url)))).toEqual({
      decision: 'redirect',
      reason: 'store-unavailable',
    });
    faulty.mode.get = 'ok';
    expect(decisionOf(await fetchWith(env, navigation(url))).reason).toBe('toggle-on');
  });

  it('bounds a hanging KV read by KV_READ_TIMEOUT_MS', async () => {
    const faulty = faultyKv(testEnv.TOGGLES, { get: 'hang' });
    const started = Date.now();
    const res = await fetchWith(
      { TOGGLES: faulty.kv, KV_READ_TIMEOUT_MS: '100' },
      navigation(`${MDE}/alerts?tid=${newTenant()}`),
    );
    expect(decisionOf(res)).toEqual({ decision: 'pass', reason: 'store-unavailable' });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('passes a tenant-specific host whose mapping cannot be read', async () => {
    const faulty = faultyKv(testEnv.TOGGLES, { get: 'throw' });
    const res = await fetchWith(
      { TOGGLES: faulty.kv },
      navigation('https://never-mapped.atp.azure.com/timeline'),
    );
    expect(decisionOf(res)).toEqual({ decision: 'pass', reason: 'store-unavailable' });
  });
});

describe('configuration', () => {
  it('refuses to redirect to a legacy host (loop guard)', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'endpoint', true);
    for (const origin of [
      'https://securitycenter.windows.com',
      'http://security.microsoft.com',
      'https://localhost',
    ]) {
      const res = await fetchWith(
        { UNIFIED_ORIGIN: origin },
        navigation(`${MDE}/alerts?tid=${tenant}`),
      );
      expect(decisionOf(res), origin).toEqual({ decision: 'pass', reason: 'loop-guard' });
    }
  });

  it('redirects to another unified origin when configured', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'endpoint', true);
    const res = await fetchWith(
      { UNIFIED_ORIGIN: 'https://security.microsoft.us' },
      navigation(`${MDE}/alerts?tid=${tenant}`),
    );
    expect(res.headers.get('location')).toBe(`https://security.microsoft.us/alerts?tid=${tenant}`);
  });

  it('takes session cookie names from SESSION_COOKIES', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'endpoint', true);
    const env = { SESSION_COOKIES: JSON.stringify({ endpoint: ['MdeSession'] }) };
    const sticky = await fetchWith(
      env,
      navigation(`${MDE}/alerts?tid=${tenant}`, { cookies: 'MdeSession=1' }),
    );
    expect(decisionOf(sticky).reason).toBe('session-sticky');
    const old = await fetchWith(
      env,
      navigation(`${MDE}/alerts?tid=${tenant}`, { cookies: 'sccauth=1' }),
    );
    expect(decisionOf(old).decision).toBe('redirect');
    // Malformed JSON keeps the catalogue's names.
    const bad = await fetchWith(
      { SESSION_COOKIES: '{oops' },
      navigation(`${MDE}/alerts?tid=${tenant}`, { cookies: 'sccauth=1' }),
    );
    expect(decisionOf(bad).reason).toBe('session-sticky');
  });
});
