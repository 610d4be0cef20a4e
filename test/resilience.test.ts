import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { PRODUCTS } from '../src/catalogue/products';
import type { Env } from '../src/config';
import { loadConfig } from '../src/config';
import type { RequestFacts } from '../src/core/facts';
import { decide } from '../src/core/decide';
import { REASONS } from '../src/core/reasons';
import { keys } from '../src/store/records';
import { adminToken, apiRequest, expectError } from './api-helpers';
import {
  decisionOf,
  EDGE_COOKIE,
  fetchWith as fetchEnv,
  navigation,
  newTenant,
  seedToggle,
  send,
  tenantCookie,
  testEnv,
} from './helpers';
import { faultyKv } from './kv-faults';
import { dumpSql } from './tenant-settings-helpers';
import { overrideDeps } from './settings-deps';

const figures = { requests: 0, faultsInjected: 0, byStatus: new Map<number, number>() };
function count(res: Response): Response {
  figures.requests++;
  figures.byStatus.set(res.status, (figures.byStatus.get(res.status) ?? 0) + 1);
  return res;
}
const fetchWith = async (env: Partial<Env>, request: Request) =>
  count(await fetchEnv(env, request));

afterAll(() => {
  const byStatus = [...figures.byStatus]
    .sort((a, b) => a[0] - b[0])
    .map(([s, n]) => `${s}: ${n}`)
    .join(', ');
  console.log(
    `resilience figures: ${figures.requests} requests sent, ${figures.faultsInjected} faults injected, responses by status { ${byStatus} }`,
  );
});

describe('KV faults', () => {
  it('legacy hosts never answer 5xx whatever KV does, and behave normally once it recovers', async () => {
    const tenant = newTenant();
    // Written straight to KV, so this isolate has not cached it and every request must read.
    await testEnv.TOGGLES.put(
      keys.toggle(tenant, 'endpoint'),
      JSON.stringify({ enabled: true, version: 1 }),
    );
    const faulty = faultyKv(testEnv.TOGGLES);
    const env = { TOGGLES: faulty.kv, TOGGLE_CACHE_TTL_SECONDS: '0', KV_READ_TIMEOUT_MS: '50' };
    const urls = [
      `https://securitycenter.windows.com/alerts?tid=${tenant}`,
      `https://protection.office.com/antispam?tid=${newTenant()}`,
      'https://fault.atp.azure.com/timeline',
    ];
    for (const mode of ['throw', 'hang', 'ok'] as const) {
      faulty.mode.get = mode;
      for (const url of urls) {
        const res = await fetchWith(env, navigation(url));
        expect(res.status, `${mode} ${url}`).toBeLessThan(500);
        if (mode === 'ok') continue;
        expect(decisionOf(res).reason, `${mode} ${url}`).toBe('store-unavailable');
        // A pass reached the legacy portal (its own marker on the answer); a redirect is the
        // catalogue default's (Office is on by default).
        if (decisionOf(res).decision === 'pass')
          expect(res.headers.get('x-demo-origin'), `${mode} ${url}`).toBe('1');
        else
          expect(res.headers.get('location'), `${mode} ${url}`).toMatch(
            /^https:\/\/security\.microsoft\.com\/antispam\?tid=/,
          );
      }
    }
    expect(decisionOf(await fetchWith(env, navigation(urls[0]!))).reason).toBe('toggle-on');
    figures.faultsInjected += faulty.injected;
  });

  it('a hanging KV read during the settings object import is bounded: 503, nothing written', async () => {
    const tenant = newTenant();
    const token = await adminToken(tenant, ['security-admin']);
    const faulty = faultyKv(testEnv.TOGGLES, { get: 'hang' });
    overrideDeps(tenant, { kv: faulty.kv, limits: { kvReadTimeoutMs: 100 } });
    const started = Date.now();
    const res = await send(
      apiRequest('PUT', `/tenants/${tenant}/redirection/endpoint`, {
        token,
        body: { enabled: true },
      }),
    );
    await expectError(res, 503, 'unavailable');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await dumpSql(tenant)).toMatchObject({ toggles: [], audit: [] });
    figures.faultsInjected += faulty.injected;
  });
});

describe('origin faults on pass-through', () => {
  it('down, reset before answering, too slow: a clean JSON 502/504 with the reason header, never a redirect', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'endpoint', false);
    const cases: [Partial<Env>, string, number, string][] = [
      [{ PASSTHROUGH_ORIGIN: 'http://127.0.0.1:9' }, '/alerts', 502, 'origin_unreachable'],
      [{}, '/__fault/reset-early', 502, 'origin_unreachable'],
      [{ ORIGIN_TIMEOUT_MS: '150' }, '/__fault/slow?ms=10000', 504, 'origin_timeout'],
    ];
    for (const [env, path, status, error] of cases) {
      const started = Date.now();
      const res = await fetchWith(
        env,
        navigation(
          `https://securitycenter.windows.com${path}${path.includes('?') ? '&' : '?'}tid=${tenant}`,
        ),
      );
      figures.faultsInjected++;
      expect(res.status, path).toBe(status);
      expect(decisionOf(res), path).toEqual({ decision: 'pass', reason: 'toggle-off' });
      expect(res.headers.get('location')).toBeNull();
      expect(((await res.json()) as { error: string }).error).toBe(error);
      expect(Date.now() - started, path).toBeLessThan(5000);
    }
  });

  it('a reset mid-body ends the client body with an error, never a hang', async () => {
    const res = await fetchWith(
      {},
      new Request('https://securitycenter.windows.com/__fault/reset'),
    );
    figures.faultsInjected++;
    expect(res.status).toBe(200);
    const started = Date.now();
    await expect(res.text()).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('property-based: hostile URLs, hosts, cookies and Fetch Metadata', () => {
  const config = loadConfig(testEnv);
  const legacyHosts = PRODUCTS.flatMap((p) =>
    p.hosts.map((h) => h.pattern.replace(/\*/g, 'contoso')),
  );
  const segment = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 12 }),
    fc.constantFrom(
      '..',
      '.',
      '%2e%2e',
      '%2F',
      '%5C',
      '\\',
      '//',
      '@',
      ':',
      '%0d%0a',
      '%00',
      '%E3%80%82',
      'javascript:',
      'https:',
      '%',
      '%zz',
    ),
    fc.webSegment(),
  );
  const path = fc
    .array(segment, { maxLength: 6 })
    .map((parts) => `/${parts.join(fc.sample(fc.constantFrom('/', '//', '\\'), 1)[0])}`);
  const host = fc.oneof(
    fc.constantFrom(...legacyHosts),
    fc.domain(),
    fc.constantFrom(
      'SECURITYCENTER.WINDOWS.COM.',
      'portal.atp.azure.com:443',
      '[::1]',
      '',
      'x..atp.azure.com',
    ),
  );
  const query = fc.oneof(
    fc.constant(''),
    fc.webQueryParameters(),
    fc.constantFrom(
      'tid=' + '00000000-0000-4000-8000-000000000001',
      'hash=//evil.com',
      'hash=%2F%2Fevil.com',
      'tid=x&hash=/alerts',
      'next=https://evil.com',
    ),
    fc.string({ maxLength: 40 }),
  );
  const cookies = fc.dictionary(
    fc.constantFrom(
      'sccauth',
      'sessionid',
      'portal_redirect_tid',
      '.AspNetCore.Cookies',
      'x',
      'sccauthC1',
    ),
    fc.string({ maxLength: 40 }),
    { maxKeys: 4 },
  );
  const facts = fc.record({
    method: fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'OPTIONS'),
    host,
    path,
    query,
    secFetchMode: fc.option(
      fc.constantFrom('navigate', 'cors', 'no-cors', 'same-origin', 'websocket', 'NAVIGATE', ''),
      { nil: null },
    ),
    secFetchSite: fc.option(
      fc.constantFrom('none', 'same-origin', 'same-site', 'cross-site', 'garbage'),
      { nil: null },
    ),
    hasSecFetch: fc.boolean(),
    accept: fc.option(fc.constantFrom('text/html', '*/*', 'application/json', 'TEXT/HTML;q=0.9'), {
      nil: null,
    }),
    cookies,
    minted: fc.record({
      tenant: fc.option(fc.uuid(), { nil: null }),
      trip: fc.option(
        fc.record({
          nonceHash: fc.constantFrom('a'.repeat(43), 'b'.repeat(43)),
          route: fc.option(fc.record({ path, query }), { nil: null }),
        }),
        { nil: null },
      ),
      hop: fc.option(fc.constantFrom('A'.repeat(22), 'B'.repeat(22)), { nil: null }),
      stay: fc.boolean(),
      hopCarried: fc.boolean(),
      rejected: fc.array(fc.constantFrom('portal_redirect_tid', '__Host-portal_redirect_hop')),
    }),
    signIn: fc.option(
      fc.record({
        tenant: fc.option(fc.uuid(), { nil: null }),
        nonceHash: fc.option(fc.constantFrom('a'.repeat(43), 'b'.repeat(43)), { nil: null }),
      }),
      { nil: null },
    ),
    now: fc.integer({ min: 0, max: 4_102_444_800_000 }),
  });
  const lookup = fc.oneof(
    fc.record({ ok: fc.constant(true as const), value: fc.option(fc.boolean(), { nil: null }) }),
    fc.record({
      ok: fc.constant(false as const),
      lastSeen: fc.option(fc.option(fc.boolean(), { nil: null }), { nil: undefined }),
    }),
  );

  it('the decision never throws, names only documented reasons, and every Location is safe', () => {
    let decided = 0;
    let redirects = 0;
    fc.assert(
      fc.property(facts, lookup, fc.option(fc.uuid(), { nil: null }), (f, toggle, hostTenant) => {
        const step = decide(config.core, f as RequestFacts, {
          toggle,
          hostTenant: { ok: true, value: hostTenant },
        });
        // Given both reads, only a host mapping read of a tenant-specific host can still be asked.
        if (step.kind !== 'decision') return true;
        decided++;
        if (step.decision.location !== undefined) redirects++;
        expect(REASONS).toContain(step.decision.reason);
        if (step.decision.location !== undefined) {
          expect(step.decision.location).not.toMatch(/[\r\n]/);
          const url = new URL(step.decision.location);
          expect(url.protocol).toBe('https:');
          expect(url.host).toBe('security.microsoft.com');
          expect(url.username + url.password).toBe('');
        }
        return true;
      }),
      { numRuns: 3000 },
    );
    expect(decided).toBeGreaterThan(2_000);
    expect(redirects).toBeGreaterThan(50);
  });

  it('through the Worker: no 5xx, no unsafe Location, for arbitrary requests', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'endpoint', true);
    await seedToggle(tenant, 'cloudapps', true);
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...legacyHosts),
        path,
        query,
        cookies,
        async (h, p, q, c) => {
          let request: Request;
          try {
            request = navigation(`https://${h}${p}?${q}&tid=${tenant}`, {
              cookies: Object.entries(c)
                .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
                .join('; '),
            });
          } catch {
            return true; // not a URL or header a client could send
          }
          sent++;
          const res = count(await send(request));
          expect(res.status).toBeLessThan(500);
          // The edge's own redirects; a pass carries the legacy portal's Location untouched.
          const location =
            decisionOf(res).decision === 'redirect' ? res.headers.get('location') : null;
          if (location !== null) {
            const url = new URL(location);
            expect([url.protocol, url.host, url.username, url.password]).toEqual([
              'https:',
              'security.microsoft.com',
              '',
              '',
            ]);
          }
          return true;
        },
      ),
      { numRuns: 200 },
    );
    expect(sent).toBeGreaterThan(100);
  });

  it("no decision depends on another tenant's state: two tenants interleaved", async () => {
    const [on, off] = [newTenant(), newTenant()];
    await seedToggle(on, 'endpoint', true);
    await seedToggle(off, 'endpoint', false);
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            who: fc.constantFrom('on', 'off'),
            via: fc.constantFrom('query', 'cookie'),
            p: fc.constantFrom('/alerts', '/machines', '/incidents'),
          }),
          { minLength: 2, maxLength: 12 },
        ),
        async (steps) => {
          const results = await Promise.all(
            steps.map(async ({ who, via, p }) => {
              const tenant = who === 'on' ? on : off;
              const url =
                via === 'query'
                  ? `https://securitycenter.windows.com${p}?tid=${tenant}`
                  : `https://securitycenter.windows.com${p}`;
              const cookie = `${EDGE_COOKIE.tid}=${await tenantCookie('securitycenter.windows.com', tenant)}`;
              const res = count(
                await send(navigation(url, via === 'cookie' ? { cookies: cookie } : {})),
              );
              return { who, res };
            }),
          );
          for (const { who, res } of results) {
            expect(decisionOf(res).decision).toBe(who === 'on' ? 'redirect' : 'pass');
            if (who === 'on') expect(res.headers.get('location')).toContain(`tid=${on}`);
          }
          return true;
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('hostile input on every route', () => {
  it('legacy hosts: giant sign-in bodies stream through unparsed; malformed forms are harmless', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'office', false);
    const big = `id_token=${'a'.repeat(200_000)}`;
    const res = count(
      await send(
        new Request('https://protection.office.com/signin-oidc', {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Echo': 'json' },
          body: big,
        }),
      ),
    );
    expect(res.status).toBe(200);
    expect(((await res.json()) as { bodyLength: number }).bodyLength).toBe(big.length);
    for (const body of [
      'id_token=%%%',
      'id_token=a.b',
      `id_token=${'x'.repeat(10)}.${btoa('{"tid":[1]}')}.x`,
      '&&&=',
      'id_token=e30.bm90IGpzb24.x',
    ]) {
      const r = count(
        await send(
          new Request('https://protection.office.com/signin-oidc', {
            method: 'POST',
            headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
            body,
          }),
        ),
      );
      expect(r.status, body).toBeLessThan(500);
      expect(decisionOf(r).decision).toBe('pass');
    }
  });

  it('legacy hosts: headers at the platform limits and 10,000 cookies', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'endpoint', true);
    const cookies = Array.from({ length: 10_000 }, (_, i) => `c${i}=${i}`).join('; ');
    const res = count(
      await send(
        navigation(`https://securitycenter.windows.com/alerts?tid=${tenant}`, {
          cookies,
          headers: { 'X-Big': 'h'.repeat(100_000), Accept: 'text/html,'.repeat(1000) },
        }),
      ),
    );
    expect(res.status).toBe(302);
    const sticky = count(
      await send(
        navigation(`https://securitycenter.windows.com/alerts?tid=${tenant}`, {
          cookies: `${cookies}; sccauth=live`,
        }),
      ),
    );
    expect(decisionOf(sticky).reason).toBe('session-sticky');
  });

  it('settings API: wrong types, huge and odd query strings, nothing written', async () => {
    const tenant = newTenant();
    const token = await adminToken(tenant, ['global-admin']);
    const base = `/tenants/${tenant}/redirection`;
    const cases: [string, string, number][] = [
      ['GET', `${base}/audit?limit=${'9'.repeat(10_000)}`, 400],
      ['GET', `${base}/audit?product=${'x'.repeat(10_000)}`, 400],
      [
        'GET',
        `${base}/explain?url=${encodeURIComponent(`https://securitycenter.windows.com/${'a'.repeat(20_000)}`)}`,
        400,
      ],
      [
        'GET',
        `${base}/explain?url=${encodeURIComponent('https://securitycenter.windows.com/%0d%0a')}&session=true`,
        200,
      ],
      ['GET', `${base}/${'%00'.repeat(100)}`, 404],
      ['GET', `/tenants/${'a'.repeat(5000)}/redirection`, 400],
    ];
    for (const [method, p, status] of cases) {
      const res = count(await send(apiRequest(method, p, { token })));
      expect(res.status, p.slice(0, 60)).toBe(status);
      expect(res.headers.get('content-type')).toContain('application/json');
    }
    for (const body of [
      true,
      1,
      'x',
      [],
      { enabled: null },
      { enabled: [true] },
      { enabled: { value: true } },
      { enabled: true, feedback: { a: 1 } },
    ]) {
      const res = count(await send(apiRequest('PUT', `${base}/endpoint`, { token, body })));
      await expectError(res, 400, 'invalid_request');
    }
    expect(await testEnv.TOGGLES.get(keys.toggle(tenant, 'endpoint'))).toBeNull();
  });
});
