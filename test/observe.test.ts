/**
 * Observe mode: the decision is made as if redirection were on, the request passes as if it
 * were off, with the reason `observe-would-redirect` and no banner.
 */
import { describe, expect, it } from 'vitest';
import { PRODUCTS } from '../src/catalogue/products';
import type { CoreContext, Decision, Lookups, Step } from '../src/core/decide';
import type { RequestFacts } from '../src/core/facts';
import { decide } from '../src/core/decide';
import { NO_MINTED } from '../src/core/minted';
import { keys, parseToggleRecord } from '../src/store/records';
import { adminToken, api, expectError, putProduct } from './api-helpers';
import { REASONS } from '../src/core/reasons';
import { coreContext, coreFacts } from './core-helpers';
import { decisionOf, navigate, newTenant, seedToggle, testEnv } from './helpers';
import { Browser } from './settings-page-browser';

const _NOW = Date.parse('2026-11-22T00:00:00Z');
const TENANT = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';
/** A nonce digest, as the trip cookie and the id_token's claim give it. */
const NONCE = 'n'.repeat(43);

const context = coreContext;
const facts = coreFacts;

const MDE = 'https://securitycenter.windows.com';
const locked = PRODUCTS.map((p) =>
  p.id === 'endpoint' ? { ...p, phases: { ...p.phases, lockedFrom: '2026-01-01T00:00:00Z' } } : p,
);

/**
 * One request per step of the decision table (README "The decision"), with the reason the step
 * gives when the tenant's toggle is on.
 */
const TABLE: [string, CoreContext, RequestFacts, Lookups, string][] = [
  ['unknown host', context(PRODUCTS), facts('https://example.org/x'), {}, 'unknown-host'],
  [
    'API host',
    context(PRODUCTS),
    facts('https://wdatp-alertexporter-eu.windows.com/api/alerts'),
    {},
    'api-host',
  ],
  [
    'sign-in, unverified',
    context(PRODUCTS),
    facts(`${MDE}/`, { method: 'POST', signIn: { tenant: null, nonceHash: null } }),
    {},
    'sign-in-unverified',
  ],
  [
    'sign-in, verified but not started in this browser',
    context(PRODUCTS),
    facts(`${MDE}/`, { method: 'POST', signIn: { tenant: TENANT, nonceHash: NONCE } }),
    {},
    'sign-in-unbound',
  ],
  [
    'sign-in, verified',
    context(PRODUCTS),
    facts(`${MDE}/`, {
      method: 'POST',
      signIn: { tenant: TENANT, nonceHash: NONCE },
      minted: { ...NO_MINTED, trip: { nonceHash: NONCE, route: { path: '/alerts', query: '' } } },
    }),
    {},
    'signed-in',
  ],
  [
    'not a navigation',
    context(PRODUCTS),
    facts(`${MDE}/alerts?tid=${TENANT}`, { secFetchMode: 'cors' }),
    {},
    'not-navigation',
  ],
  [
    'out of scope',
    context(PRODUCTS),
    facts(`${MDE}/serviceHealth?tid=${TENANT}`),
    {},
    'out-of-scope',
  ],
  [
    'session sticky',
    context(PRODUCTS),
    facts(`${MDE}/alerts?tid=${TENANT}`, { cookies: { sccauth: 'x' } }),
    {},
    'session-sticky',
  ],
  [
    'host mapping unavailable',
    context(PRODUCTS),
    facts('https://contoso.atp.azure.com/timeline'),
    { hostTenant: { ok: false, lastSeen: undefined } },
    'store-unavailable',
  ],
  ['unknown tenant', context(PRODUCTS), facts(`${MDE}/alerts`), {}, 'unknown-tenant'],
  ['locked', context(locked), facts(`${MDE}/alerts?tid=${TENANT}`), {}, 'locked'],
  ['toggle', context(PRODUCTS), facts(`${MDE}/alerts?tid=${TENANT}`), {}, 'toggle-on'],
  [
    'toggle, store unavailable (last seen)',
    context(PRODUCTS),
    facts(`${MDE}/machines/abc?tid=${TENANT}`),
    { toggle: { ok: false, lastSeen: true } },
    'store-unavailable',
  ],
  [
    'hash-routed root',
    context(PRODUCTS),
    facts(`https://portal.cloudappsecurity.com/?tid=${TENANT}`),
    {},
    'toggle-on',
  ],
  [
    'hash continuation',
    context(PRODUCTS),
    facts(`https://portal.cloudappsecurity.com/?hash=%2Falerts&tid=${TENANT}`, {
      minted: { ...NO_MINTED, hopCarried: true },
    }),
    {},
    'toggle-on',
  ],
  ['loop guard', context(PRODUCTS, false), facts(`${MDE}/alerts?tid=${TENANT}`), {}, 'loop-guard'],
];

/** Run the decision loop with the given toggle value for every toggle read. */
function run(ctx: CoreContext, f: RequestFacts, given: Lookups, toggle: boolean | 'observe') {
  const lookups: Lookups = { ...given };
  for (let i = 0; i < 3; i++) {
    const step: Step = decide(ctx, f, lookups);
    if (step.kind === 'decision') return step.decision;
    if (step.kind === 'need-host-tenant') lookups.hostTenant = { ok: true, value: TENANT };
    else lookups.toggle = lookups.toggle ?? { ok: true, value: toggle };
  }
  throw new Error('the decision asked for more than two reads');
}

/** A store failure's last-seen value follows the toggle under test. */
function withToggle(given: Lookups, toggle: boolean | 'observe'): Lookups {
  return given.toggle && !given.toggle.ok
    ? { ...given, toggle: { ok: false, lastSeen: toggle } }
    : given;
}

describe('observe: every step of the decision table decides as on does, then passes', () => {
  it.each(TABLE)('%s', (_name, ctx, f, given, onReason) => {
    const on = run(ctx, f, withToggle(given, true), true);
    const observed = run(ctx, f, withToggle(given, 'observe'), 'observe');
    expect(on.reason).toBe(onReason);
    if (on.action === 'redirect' && onReason !== 'locked') {
      const { action: _a, reason: _r, status: _s, location, hashPage: _h, ...cookies } = on;
      expect(observed).toEqual({
        ...cookies,
        action: 'pass',
        reason: 'observe-would-redirect',
        observedLocation: location,
      } satisfies Decision);
    } else {
      // Passed before the toggle counts (or locked, which ignores it): exactly as on.
      expect(observed).toEqual(on);
    }
  });

  it('covers every reason code but those redirection on cannot give', () => {
    // The reasons a decision with redirection on never gives: the toggle's other answers, the
    // observe answer itself, and what the SIEM link rewriter says of an API response. A new
    // reason lands in one list or the other, or this fails.
    const notWithOn = new Set([
      'toggle-off',
      'default-off',
      'default-on',
      'observe-would-redirect',
      'links-rewritten',
      'not-json',
      'error-response',
      'unsupported-encoding',
    ]);
    const covered = new Set(TABLE.map((row) => row[4]));
    expect([...covered].filter((r) => notWithOn.has(r))).toEqual([]);
    expect(new Set([...covered, ...notWithOn])).toEqual(new Set(REASONS));
  });

  it('keeps what a verified sign-in sets: the tenant cookie and the used trip', () => {
    const row = TABLE.find(([name]) => name === 'sign-in, verified')!;
    const decision = run(row[1], row[2], {}, 'observe');
    expect(decision).toMatchObject({
      action: 'pass',
      reason: 'observe-would-redirect',
      setTenantCookie: TENANT,
      clearTrip: true,
    });
    expect(decision.observedLocation).toMatch(/^https:\/\/security\.microsoft\.com\/alerts\?/);
  });
});

describe('observe at the edge (real KV and object)', () => {
  it('passes to the legacy page with the reason, no Location and no banner', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'endpoint', 'observe');
    // Without a session the legacy portal sends the browser to sign in there, as with off.
    const res = await navigate(`${MDE}/alerts?tid=${tenant}`);
    expect(decisionOf(res)).toEqual({ decision: 'pass', reason: 'observe-would-redirect' });
    expect(res.headers.get('x-demo-origin')).toBe('1');
    expect(res.headers.get('location')).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/[0-9a-f-]{36}\/oauth2\//,
    );
    // A page the portal serves gets no banner.
    const page = await navigate(`${MDE}/__page/chunked?tid=${tenant}`);
    expect(decisionOf(page).reason).toBe('observe-would-redirect');
    expect(await page.text()).not.toContain('portal-redirect-banner');
  });

  it('writes a KV record that a reader from before modes passes too (enabled: false)', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'endpoint', 'observe');
    const record = parseToggleRecord(await testEnv.TOGGLES.get(keys.toggle(tenant, 'endpoint')));
    // The KV record a reader from before modes also passes: enabled is false.
    expect(record).toMatchObject({ mode: 'observe', enabled: false });
  });
});

describe('observe through the API', () => {
  const put = (tenant: string, token: string, body: unknown) =>
    putProduct(tenant, 'endpoint', body, token);

  it('sets observe with mode, audits it like on and off, and explain says what would happen', async () => {
    const tenant = newTenant();
    const token = await adminToken(tenant, ['security-admin']);
    const res = await put(tenant, token, { mode: 'observe' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ mode: 'observe', enabled: false, version: 1 });
    expect(res.headers.get('etag')).toBe('"1"');
    const again = await put(tenant, token, { mode: 'observe' });
    expect(await again.json()).toMatchObject({ mode: 'observe', version: 1 });
    const on = await put(tenant, token, { enabled: true });
    expect(await on.json()).toMatchObject({ mode: 'on', enabled: true, version: 2 });
    const audit = (await (
      await api('GET', `/tenants/${tenant}/redirection/audit`, { token })
    ).json()) as { entries: Record<string, unknown>[] };
    expect(audit.entries.map((e) => [e.mode, e.previousMode, e.enabled, e.via])).toEqual([
      ['on', 'observe', true, 'admin'],
      ['observe', 'off', false, 'admin'],
    ]);
    await put(tenant, token, { mode: 'observe' });
    const explain = (await (
      await api(
        'GET',
        `/tenants/${tenant}/redirection/explain?url=${encodeURIComponent(`${MDE}/alerts`)}`,
        { token },
      )
    ).json()) as Record<string, unknown>;
    expect(explain).toMatchObject({ action: 'pass', reason: 'observe-would-redirect' });
    expect(String(explain.location)).toMatch(/^https:\/\/security\.microsoft\.com\/alerts/);
  });

  it('refuses a mode it does not know, and mode and enabled that disagree', async () => {
    const tenant = newTenant();
    const token = await adminToken(tenant, ['security-admin']);
    await expectError(await put(tenant, token, { mode: 'watch' }), 400, 'invalid_request');
    await expectError(
      await put(tenant, token, { mode: 'observe', enabled: true }),
      400,
      'invalid_request',
    );
    await expectError(await put(tenant, token, {}), 400, 'invalid_request');
    expect((await put(tenant, token, { mode: 'on', enabled: true })).status).toBe(200);
  });

  it('needs the write role, like on and off', async () => {
    const tenant = newTenant();
    const token = await adminToken(tenant, ['security-reader']);
    await expectError(await put(tenant, token, { mode: 'observe' }), 403, 'forbidden');
  });
});

describe('observe on the settings page', () => {
  it('offers observe with its own confirmation, and sets it', async () => {
    const b = new Browser();
    const tenant = newTenant();
    await b.signIn(tenant, 'security-admin');
    const html = await (await b.go('/settings')).text();
    expect(html).toContain('id="dialog-endpoint-observe"');
    const confirm = await (await b.go('/settings/confirm/endpoint?mode=observe&version=0')).text();
    expect(confirm).toContain('Observe Endpoints before turning redirection on?');
    expect(confirm).toContain('name="mode" value="observe"');
    const saved = await b.go('/settings/endpoint', {
      method: 'POST',
      form: { csrf: b.csrf(html), mode: 'observe' },
    });
    expect(saved.status).toBe(303);
    const after = await (await b.go('/settings')).text();
    expect(after).toMatch(/data-state="observe"/);
    const res = await navigate(`${MDE}/alerts?tid=${tenant}`);
    expect(decisionOf(res).reason).toBe('observe-would-redirect');
  });
});
