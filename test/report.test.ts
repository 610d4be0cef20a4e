/**
 * The migration report: decisions counted in the isolate, flushed to the tenant's object,
 * reported per product over 24 hours and 7 days.
 */
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Env } from '../src/config';
import type { Decision } from '../src/core/decide';
import { navigationFacts } from '../src/core/facts';
import { pathTemplate } from '../src/core/path-template';
import type { Reason } from '../src/core/reasons';
import type { ProductId } from '../src/catalogue/types';
import {
  countDecision,
  flushCounts,
  MAX_TENANTS_PER_FLUSH,
  MAX_COUNTERS,
  pendingCounters,
  resetCounters,
} from '../src/edge/report-counter';
import worker from '../src/index';
import type { CountRow, MigrationReport, ProductReport } from '../src/model/report';
import { adminToken, api } from './api-helpers';
import {
  EDGE_COOKIE,
  navigation,
  newTenant,
  seedHost,
  seedToggle,
  tenantCookie,
  testEnv,
} from './helpers';
import { Browser } from './settings-page-browser';

const MDE = 'https://securitycenter.windows.com';
const MDI = 'https://portal.atp.azure.com';
const GUID = '0f8fad5b-d9cb-469f-a165-70867728950e';
const ALERT = 'da637551227677560813_-961444813';

// Flushes at every request: the counts of a request reach the object before its context ends.
const everyRequest = { ...testEnv, REPORT_FLUSH_SECONDS: '0' } as Env;
// Never flushes by itself in a test's time: the test flushes.
const held = { ...testEnv, REPORT_FLUSH_SECONDS: '3600' } as Env;

/** One request through the Worker with its own context, waiting for what it left running. */
async function visit(request: Request, env: Env): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(request, env, ctx);
  await res.arrayBuffer();
  await waitOnExecutionContext(ctx);
  return res;
}

async function report(tenant: string): Promise<MigrationReport & { tenantId: string }> {
  const token = await adminToken(tenant, ['security-reader']);
  const res = await api('GET', `/tenants/${tenant}/redirection/report`, { token });
  expect(res.status).toBe(200);
  return (await res.json()) as MigrationReport & { tenantId: string };
}

function productOf(r: MigrationReport, window: '24h' | '7d', product: string): ProductReport {
  return r.windows.find((w) => w.window === window)!.products.find((p) => p.product === product)!;
}

const zeroPassed = {
  'session-sticky': 0,
  'toggle-off': 0,
  'default-off': 0,
  'out-of-scope': 0,
  'unknown-tenant': 0,
  'store-unavailable': 0,
  'observe-would-redirect': 0,
};

/** A distinct word for every number: a template keeps words, so each is its own counter. */
const letters = (n: number): string =>
  n.toString(10).replace(/\d/g, (d) => String.fromCharCode(97 + Number(d)));

describe('the migration report', () => {
  it('counts a known sequence of requests exactly', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'endpoint', true);
    await seedToggle(tenant, 'identity', 'observe');
    const tid = `tid=${tenant}`;
    for (let i = 0; i < 3; i++) await visit(navigation(`${MDE}/alerts?${tid}`), everyRequest);
    // Where a verified sign-in left the tenant, a path no row knows is reported as a template;
    // from a link that names its own tenant, only counted (anyone can write such a link).
    const signedIn = {
      cookies: `${EDGE_COOKIE.tid}=${await tenantCookie('securitycenter.windows.com', tenant)}`,
    };
    await visit(navigation(`${MDE}/foo/${GUID}/bar?secret=x`, signedIn), everyRequest);
    await visit(navigation(`${MDE}/call-this-number/now?${tid}`), everyRequest);
    await visit(navigation(`${MDE}/serviceHealth?${tid}`), everyRequest);
    // A sticky session names its tenant only by the cookie a sign-in left.
    await visit(
      navigation(`${MDE}/alerts`, { cookies: `sccauth=1; ${signedIn.cookies}` }),
      everyRequest,
    );
    // Not a navigation: not counted.
    await visit(
      navigation(`${MDE}/alerts?${tid}`, { headers: { 'Sec-Fetch-Mode': 'cors' } }),
      everyRequest,
    );
    const signedInMdi = {
      cookies: `${EDGE_COOKIE.tid}=${await tenantCookie(new URL(MDI).host, tenant)}`,
    };
    await visit(navigation(`${MDI}/zzz/${ALERT}`, signedInMdi), everyRequest);
    await visit(navigation(`${MDI}/zzz/12345`, signedInMdi), everyRequest);
    await visit(navigation(`${MDI}/zzz/12346`, signedInMdi), everyRequest);

    const r = await report(tenant);
    expect(r.tenantId).toBe(tenant);
    for (const window of ['24h', '7d'] as const) {
      expect(productOf(r, window, 'endpoint')).toEqual({
        product: 'endpoint',
        navigations: 7,
        redirected: 5,
        observed: 0,
        passed: { ...zeroPassed, 'session-sticky': 1, 'out-of-scope': 1 },
        unmapped: [{ template: '/foo/:guid/bar', count: 1 }],
      });
      expect(productOf(r, window, 'identity')).toEqual({
        product: 'identity',
        navigations: 3,
        redirected: 0,
        observed: 3,
        passed: { ...zeroPassed, 'observe-would-redirect': 3 },
        unmapped: [
          { template: '/zzz/:n', count: 2 },
          { template: '/zzz/:alert-id', count: 1 },
        ],
      });
      expect(productOf(r, window, 'office').navigations).toBe(0);
    }
    const endpointHours = r.hourly.find((h) => h.product === 'endpoint')!.hours;
    expect(endpointHours).toHaveLength(24);
    // Over the hours (a run may cross an hour's end): the same counts, none observed.
    const sum = (key: 'redirected' | 'passed' | 'observed') =>
      endpointHours.reduce((n, h) => n + h[key], 0);
    expect([sum('redirected'), sum('passed'), sum('observed')]).toEqual([5, 2, 0]);
    const text = JSON.stringify(r);
    expect(text).not.toContain(GUID);
    expect(text).not.toContain('secret');
    expect(text).not.toContain('637551227677560813');
    expect(text).not.toContain('call-this-number');
  });

  it('takes path templates only from traffic the edge vouches for', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'endpoint', true);
    await seedToggle(tenant, 'identity', true);
    await seedToggle(tenant, 'cloudapps', true);
    const workspace = `w${tenant.slice(0, 8)}.atp.azure.com`;
    await seedHost(workspace, tenant);
    const phish = '/migration-notice/call.helpdesk.now/enter.your-password';
    // A link naming the tenant, a cookie made by hand, a mapped host alone, a `?hash=` route:
    // each is counted, none writes its words into the tenant's report.
    await visit(navigation(`${MDE}${phish}?tid=${tenant}`), everyRequest);
    await visit(
      navigation(`${MDE}${phish}`, { cookies: `${EDGE_COOKIE.tid}=${tenant}` }),
      everyRequest,
    );
    await visit(navigation(`https://${workspace}${phish}`), everyRequest);
    await visit(
      navigation(
        `https://portal.cloudappsecurity.com/?hash=${encodeURIComponent(phish)}&tid=${tenant}`,
      ),
      everyRequest,
    );
    // The tenant cookie the edge minted at a sign-in vouches for it; a link on another site
    // (a sibling host included) still writes nothing, only the browser's own navigation does.
    const minted = `${EDGE_COOKIE.tid}=${await tenantCookie('securitycenter.windows.com', tenant)}`;
    for (const site of ['cross-site', 'same-site'] as const)
      await visit(navigation(`${MDE}${phish}`, { cookies: minted, site }), everyRequest);
    await visit(navigation(`${MDE}/a/real/page`, { cookies: minted }), everyRequest);
    const r = await report(tenant);
    for (const product of ['endpoint', 'identity', 'cloudapps'] as const)
      expect(
        productOf(r, '24h', product).unmapped.map((u) => u.template),
        product,
      ).toEqual(product === 'endpoint' ? ['/a/real/page'] : []);
    expect(productOf(r, '24h', 'endpoint').redirected).toBe(4);
    expect(productOf(r, '24h', 'identity').redirected).toBe(1);
  });

  it('counts no tenant without a stored setting: a made-up ?tid= creates no settings object', async () => {
    const chosen = newTenant();
    await seedToggle(chosen, 'endpoint', true);
    resetCounters(Date.now());
    // Office is on by default: a link naming any GUID redirects, and must not be counted.
    for (let i = 0; i < 3; i++)
      await visit(
        navigation(`https://protection.office.com/antiphishing?tid=${newTenant()}`),
        held,
      );
    await visit(navigation(`${MDE}/alerts?tid=${newTenant()}`), held);
    expect(pendingCounters().counters).toBe(0);
    // REPORT_COUNTING=off: the operator's switch, nothing counted.
    await visit(navigation(`${MDE}/alerts?tid=${chosen}`), { ...held, REPORT_COUNTING: 'off' });
    expect(pendingCounters().counters).toBe(0);
    await visit(navigation(`${MDE}/alerts?tid=${chosen}`), held);
    expect(pendingCounters().counters).toBe(1);
    resetCounters();
  });

  it('a failed flush loses only its own batch', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'endpoint', true);
    resetCounters(Date.now());
    for (let i = 0; i < 2; i++) await visit(navigation(`${MDE}/alerts?tid=${tenant}`), held);
    expect(pendingCounters().counters).toBeGreaterThan(0);
    // The object cannot be reached for this batch (an isolate evicted mid-send is the same).
    await Promise.all(
      flushCounts(testEnv.TENANT_SETTINGS, () => Promise.reject(new Error('network'))),
    );
    expect(pendingCounters().counters).toBe(0);
    for (let i = 0; i < 3; i++) await visit(navigation(`${MDE}/alerts?tid=${tenant}`), held);
    await Promise.all(flushCounts(testEnv.TENANT_SETTINGS));
    expect(productOf(await report(tenant), '24h', 'endpoint')).toMatchObject({
      navigations: 3,
      redirected: 3,
    });
    // A batch the object refuses stores nothing of it, and the next one lands.
    const refused = await testEnv.TENANT_SETTINGS.get(
      testEnv.TENANT_SETTINGS.idFromName(tenant),
    ).recordCounts(tenant, [
      {
        hour: Math.floor(Date.now() / 3_600_000),
        product: 'endpoint',
        kind: 'redirect',
        key: 'toggle-on',
        n: 5,
      },
      {
        hour: Math.floor(Date.now() / 3_600_000),
        product: 'endpoint',
        kind: 'template',
        key: `/x/${GUID}`,
        n: 1,
      },
    ]);
    expect(refused).toMatchObject({ ok: false, error: 'invalid_request' });
    await visit(navigation(`${MDE}/alerts?tid=${tenant}`), everyRequest);
    expect(productOf(await report(tenant), '24h', 'endpoint').redirected).toBe(4);
  });

  it('one flush sends to at most MAX_TENANTS_PER_FLUSH tenants; the rest wait for the next', async () => {
    resetCounters(Date.now());
    const facts = navigationFacts(new URL(`${MDE}/`));
    const tenants = Array.from({ length: MAX_TENANTS_PER_FLUSH + 5 }, () => newTenant());
    for (const tenant of tenants) {
      const decision: Decision = {
        action: 'redirect',
        reason: 'toggle-on',
        product: 'endpoint',
        tenant,
      };
      countDecision(decision, facts, () => true, testEnv.TENANT_SETTINGS, 3_600_000, undefined);
    }
    const sent: string[] = [];
    const send = async (tenant: string, rows: CountRow[]) => {
      sent.push(tenant);
      return { ok: true as const, value: rows.length };
    };
    await Promise.all(flushCounts(testEnv.TENANT_SETTINGS, send));
    expect(sent).toEqual(tenants.slice(0, MAX_TENANTS_PER_FLUSH));
    expect(pendingCounters().counters).toBe(5);
    await Promise.all(flushCounts(testEnv.TENANT_SETTINGS, send));
    expect(sent.slice(MAX_TENANTS_PER_FLUSH)).toEqual(tenants.slice(MAX_TENANTS_PER_FLUSH));
    expect(pendingCounters().counters).toBe(0);
  });

  it('counts each hour, product, action and reason apart, in whatever order they come', async () => {
    resetCounters(Date.now());
    const tenant = newTenant();
    const hour = Math.floor(Date.now() / 3_600_000);
    const at = (h: number) => navigationFacts(new URL(`${MDE}/`), {}, (h + 0.5) * 3_600_000);
    const count = (h: number, product: ProductId, action: 'redirect' | 'pass', reason: Reason) =>
      countDecision(
        { action, reason, product, tenant },
        at(h),
        () => true,
        testEnv.TENANT_SETTINGS,
        3_600_000,
        undefined,
      );
    count(hour, 'endpoint', 'redirect', 'toggle-on');
    count(hour, 'endpoint', 'redirect', 'toggle-on');
    count(hour, 'endpoint', 'pass', 'toggle-off');
    count(hour, 'endpoint', 'redirect', 'toggle-on');
    count(hour + 1, 'endpoint', 'redirect', 'toggle-on');
    count(hour, 'office', 'redirect', 'toggle-on');
    count(hour, 'endpoint', 'redirect', 'locked');
    count(hour, 'endpoint', 'redirect', 'toggle-on');
    const rows: CountRow[] = [];
    await Promise.all(
      flushCounts(testEnv.TENANT_SETTINGS, async (_tenant, batch) => {
        rows.push(...batch);
        return { ok: true as const, value: batch.length };
      }),
    );
    const counted = Object.fromEntries(
      rows.map((r) => [`${r.hour - hour} ${r.product} ${r.kind} ${r.key}`, r.n]),
    );
    expect(counted).toEqual({
      '0 endpoint redirect toggle-on': 4,
      '0 endpoint pass toggle-off': 1,
      '1 endpoint redirect toggle-on': 1,
      '0 office redirect toggle-on': 1,
      '0 endpoint redirect locked': 1,
    });
  });

  it('holds at most MAX_COUNTERS counters in an isolate, and says how many it dropped', () => {
    resetCounters(Date.now());
    const tenant = newTenant();
    const facts = navigationFacts(new URL(`${MDE}/`));
    for (let i = 0; i <= MAX_COUNTERS; i++) {
      const decision: Decision = {
        action: 'redirect',
        reason: 'toggle-on',
        product: 'endpoint',
        tenant,
        unmappedPath: `/p/${letters(i)}`,
        vouched: true,
      };
      countDecision(decision, facts, () => true, testEnv.TENANT_SETTINGS, 3_600_000, undefined);
    }
    const pending = pendingCounters();
    expect(pending.counters).toBe(MAX_COUNTERS);
    expect(pending.dropped).toBeGreaterThan(0);
    resetCounters();
  });

  it('is in the OpenAPI document, for read roles, and refuses another tenant', async () => {
    const doc = (await (await api('GET', '/openapi.json')).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    expect(doc.paths['/api/tenants/{tenantId}/redirection/report']?.get?.responses).toHaveProperty(
      '200',
    );
    const tenant = newTenant();
    const other = await adminToken(newTenant(), ['global-admin']);
    const res = await api('GET', `/tenants/${tenant}/redirection/report`, { token: other });
    expect(res.status).toBe(403);
  });
});

describe('path templates', () => {
  const segment = fc.oneof(
    // Either case, chosen by fast-check (a failure replays from its seed).
    fc.tuple(fc.uuid(), fc.boolean()).map(([u, upper]) => (upper ? u.toUpperCase() : u)),
    fc.bigInt({ min: 0n, max: 10n ** 20n }).map(String),
    fc.stringMatching(/^(da|ed|fa|ar)[0-9]{12,18}(_-?[0-9]{6,10})?$/),
    fc.stringMatching(/^[A-Za-z0-9+/_-]{16,40}={0,2}$/),
    fc.stringMatching(/^[0-9a-f]{16,64}$/),
    fc.emailAddress(),
    fc.constantFrom('alerts', 'machines', 'user', 'Incidents', 'x.y', '%7Bid%7D', '..'),
    // A query glued to a segment (a path taken as sent, `?` and all).
    fc
      .tuple(fc.constantFrom('alerts', 'x'), fc.string())
      .map(([word, query]) => `${word}?${query}`),
  );
  it('never contain a GUID, an alert id, a number, a query or an escape', () => {
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 9 }), (segments) => {
        const template = pathTemplate(`/${segments.join('/')}`);
        expect(template).not.toMatch(/[0-9?%@=+]/);
        expect(template).toMatch(/^\/(?:[a-z:][a-z._-]*(?:\/[a-z:][a-z._-]*)*(?:\/\*)?)?$/);
      }),
      { numRuns: 500 },
    );
  });

  it.each([
    [`/alerts/${ALERT}`, '/alerts/:alert-id'],
    [`/machines/${'ab12'.repeat(10)}/timeline`, '/machines/:hex/timeline'],
    [`/users/${GUID.toUpperCase()}`, '/users/:guid'],
    ['/incidents/12345/overview', '/incidents/:n/overview'],
    ['/a/b/c/d/e/f/g/h', '/a/b/c/d/e/f/*'],
    ['/', '/'],
  ])('%s -> %s', (path, template) => {
    expect(pathTemplate(path)).toBe(template);
  });
});

describe('the report on the settings page', () => {
  it('shows the counts and a chart per product, in English and Dutch, under the CSP', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'endpoint', 'observe');
    for (let i = 0; i < 2; i++)
      await visit(navigation(`${MDE}/alerts?tid=${tenant}`), everyRequest);
    const b = new Browser();
    await b.signIn(tenant, 'security-reader');
    const res = await b.go('/settings');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).not.toContain('unsafe-inline');
    const html = await res.text();
    const section = html.slice(html.indexOf('data-report="endpoint"'));
    expect(section).toMatch(
      /data-figure="observed"><th scope="row">[^<]+<\/th><td>2<\/td><td>2<\/td>/,
    );
    expect(section).toContain('<svg class="chart" role="img"');
    expect(section).toContain('Endpoints: legacy visits per hour, last 24 hours');
    expect(html).not.toMatch(/<svg[^>]* style=|<rect[^>]* style=/);
    // Readable: a y scale, hour labels every three hours, the axes named, a legend beside it.
    const hourly = section.slice(0, section.indexOf('</svg>'));
    expect(hourly).toMatch(/data-tick="0"[\s\S]*?data-tick="1"[\s\S]*?data-tick="2"/);
    expect(hourly).toContain('>Hour (UTC)</text>');
    expect(hourly).toContain('>Visits</text>');
    expect(hourly.match(/text-anchor="middle" fill="#333">\d\d<\/text>/g)).toHaveLength(8);
    expect(section).toContain('Redirected, or would have been (observe)');
    // The 7 days by day, today's bar last, and the numbers behind both charts.
    expect(section).toContain('Endpoints: legacy visits per day, last 7 days');
    const weekly = section.slice(section.indexOf('legacy visits per day'));
    const days =
      weekly
        .slice(0, weekly.indexOf('</svg>'))
        .match(/data-bucket="(\d{4}-\d{2}-\d{2})T00:00:00\.000Z"/g) ?? [];
    expect(days).toHaveLength(7);
    // Seven consecutive UTC days, the last one today (or, across midnight, the day before).
    const dayMs = days.map((d) => Date.parse(`${d.slice(13, 23)}T00:00:00Z`));
    expect(dayMs.every((ms, i) => i === 0 || ms - (dayMs[i - 1] as number) === 86_400_000)).toBe(
      true,
    );
    expect(Date.now() - (dayMs[6] as number)).toBeLessThan(2 * 86_400_000);
    // The numbers: both visits moved, in this hour or (across an hour's end) the one before.
    const hourRows = [
      ...section.matchAll(
        /<th scope="row">\d{4}-\d\d-\d\d \d\d:00<\/th><td>(\d+)<\/td><td>(\d+)<\/td>/g,
      ),
    ];
    expect(hourRows).toHaveLength(24);
    expect(hourRows.reduce((n, m) => n + Number(m[1]), 0)).toBe(2);
    expect(hourRows.reduce((n, m) => n + Number(m[2]), 0)).toBe(0);
    // Why visits stayed, by reason: none here (observe moved them all).
    expect(section).not.toContain('data-figure="passed-session-sticky"');
    b.lang = 'nl-NL,nl;q=0.9';
    const nl = await (await b.go('/settings?lang=nl')).text();
    expect(nl).toContain('Migratierapport');
    expect(nl).toContain('Eindpunten: bezoeken per uur, afgelopen 24 uur');
    expect(nl).toContain('>Uur (UTC)</text>');
  });

  it('says why visits stayed, by reason, in words', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'endpoint', false);
    const minted = `${EDGE_COOKIE.tid}=${await tenantCookie('securitycenter.windows.com', tenant)}`;
    await visit(navigation(`${MDE}/alerts?tid=${tenant}`), everyRequest);
    await visit(navigation(`${MDE}/alerts`, { cookies: `sccauth=1; ${minted}` }), everyRequest);
    await visit(navigation(`${MDE}/serviceHealth?tid=${tenant}`), everyRequest);
    const b = new Browser();
    await b.signIn(tenant, 'security-reader');
    const html = await (await b.go('/settings')).text();
    const section = html.slice(html.indexOf('data-report="endpoint"'));
    for (const [reason, words] of [
      ['toggle-off', 'Redirection turned off'],
      ['session-sticky', 'Signed in to the legacy portal (moves at the next sign-in)'],
      ['out-of-scope', 'Page not in the Microsoft Defender portal'],
    ] as const)
      expect(section).toMatch(
        new RegExp(
          `data-figure="passed-${reason}"><th scope="row">· ${words.replace(/[()]/g, '\\$&')}</th><td>1</td><td>1</td>`,
        ),
      );
  });
});
