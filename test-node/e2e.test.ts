/**
 * End to end in a real browser: Debian's Chromium driven by playwright-core against the server
 * `npm start` runs. Saves a screenshot of each step under test-results/screenshots/.
 */
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { type Browser, type Page, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Service, startService } from './service.ts';

const CHROMIUM = '/usr/bin/chromium';
const PORT = 18_897;
const BASE = `http://127.0.0.1:${PORT}`;
const LEGACY = `http://securitycenter.windows.com:${PORT}`;
const CLOUD_APPS = `http://portal.cloudappsecurity.com:${PORT}`;
const SHOTS = 'test-results/screenshots';
const TENANT = 'e2e0e2e0-0000-4000-8000-00000000e2e0';
// Locally without Chromium the browser run is skipped; CI installs Chromium, so there it must run.
const run = existsSync(CHROMIUM) || process.env.CI ? describe : describe.skip;
const axeSource = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);

let service: Service;
let browser: Browser;

async function shot(page: Page, name: string): Promise<void> {
  const path = join(SHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  expect(statSync(path).size).toBeGreaterThan(1000);
}

/** axe-core in the page (evaluated through the DevTools protocol, so the page's CSP still holds). */
async function seriousViolations(page: Page): Promise<string[]> {
  const violations = (await page.evaluate(
    `${axeSource};axe.run(document,{resultTypes:['violations']}).then(r=>r.violations.filter(v=>v.impact==='serious'||v.impact==='critical').map(v=>v.id+': '+v.help))`,
  )) as string[];
  return violations;
}

async function signIn(page: Page, role: string, name: string): Promise<void> {
  await page.goto(`${BASE}/settings?lang=en`);
  await page.fill('#dev-tenant', TENANT);
  await page.selectOption('#dev-role', role);
  await page.fill('#dev-name', name);
  await Promise.all([
    page.waitForURL(`${BASE}/settings`),
    page.click('form[action="/auth/dev"] button[type=submit]'),
  ]);
}

run('the settings page and the banner in Chromium', () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    // Counts reach the report after each request, and a change may be scheduled 5 s ahead.
    service = await startService(PORT, 'e2e', {
      REPORT_FLUSH_SECONDS: '0',
      SCHEDULE_MIN_LEAD_SECONDS: '5',
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        // The legacy host names resolve to the local service, as a route would send them there.
        '--host-resolver-rules=MAP securitycenter.windows.com 127.0.0.1, MAP portal.cloudappsecurity.com 127.0.0.1',
        // Served over http locally: treated as the https origin it is in production, so Chromium
        // sends Fetch Metadata (Sec-Fetch-Site) there as it does to the real portal.
        `--unsafely-treat-insecure-origin-as-secure=${CLOUD_APPS}`,
      ],
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    service?.stop();
  });

  it('a security admin enables Endpoints, disables it with feedback, and sees both in the audit view', async () => {
    const page = await browser.newPage({ locale: 'en-GB', viewport: { width: 1100, height: 900 } });
    await signIn(page, 'security-admin', 'Ada Admin');
    await shot(page, '01-signed-in-security-admin');
    expect(await seriousViolations(page)).toEqual([]);

    const endpoint = page.locator('section[data-product="endpoint"]');
    await endpoint.locator('form[data-confirm="dialog-endpoint"] button').click();
    const dialog = page.locator('#dialog-endpoint');
    await expect.poll(() => dialog.isVisible()).toBe(true);
    expect(await dialog.textContent()).toContain('up to about a minute');
    await shot(page, '02-confirm-enable');
    await Promise.all([
      page.waitForURL(/saved=endpoint/),
      dialog.locator('button[type=submit]').click(),
    ]);
    expect(await endpoint.locator('.state').getAttribute('data-state')).toBe('on');
    await shot(page, '03-endpoints-on');

    await endpoint.locator('form[data-confirm="dialog-endpoint"] button').click();
    await expect.poll(() => dialog.isVisible()).toBe(true);
    await dialog.locator('textarea').fill('Our SIEM runbooks still link the old portal.');
    await shot(page, '04-confirm-disable-with-feedback');
    await Promise.all([
      page.waitForURL(/saved=endpoint/),
      dialog.locator('button:has-text("Disable & share feedback")').click(),
    ]);
    expect(await endpoint.locator('.state').getAttribute('data-state')).toBe('off');

    await page.click('a[href="/settings/audit"]');
    const rows = page.locator('tbody tr');
    expect(await rows.count()).toBe(2);
    expect(await rows.nth(0).textContent()).toContain(
      'Our SIEM runbooks still link the old portal.',
    );
    expect(await rows.nth(0).textContent()).toContain('Turned off');
    expect(await rows.nth(1).textContent()).toContain('Turned on');
    await shot(page, '05-audit-view');
    expect(await seriousViolations(page)).toEqual([]);
    await page.close();
  });

  it('a security reader finds the toggles read-only, and can switch to Dutch', async () => {
    const page = await browser.newPage({ locale: 'en-GB', viewport: { width: 1100, height: 900 } });
    await signIn(page, 'security-reader', 'Rita Reader');
    expect(await page.locator('form[data-confirm]').count()).toBe(0);
    expect(await page.textContent('main')).toContain(
      'Only a Global Administrator or Security Administrator can change them.',
    );
    await shot(page, '06-reader-read-only');
    await page.click('a[hreflang="nl"]');
    await page.waitForURL(/lang=nl/);
    expect(await page.getAttribute('html', 'lang')).toBe('nl');
    expect(await page.textContent('main')).toContain('Eindpunten > Algemeen > Portalomleiding');
    await shot(page, '07-dutch');
    expect(await seriousViolations(page)).toEqual([]);
    await page.close();
  });

  it('a Cloud Apps hash link opened in a new tab while signed in lands on the unified page', async () => {
    const admin = await browser.newPage({ locale: 'en-GB' });
    await signIn(admin, 'security-admin', 'Ada Admin');
    const cloudapps = admin.locator('section[data-product="cloudapps"]');
    await cloudapps.locator('form[data-confirm="dialog-cloudapps"] button').click();
    await Promise.all([
      admin.waitForURL(/saved=cloudapps/),
      admin.locator('#dialog-cloudapps button[type=submit]').click(),
    ]);
    expect(await cloudapps.locator('.state').getAttribute('data-state')).toBe('on');
    await admin.close();

    // A browser signed in to the classic portal (its session cookie), opening a link in a new tab.
    const context = await browser.newContext({ locale: 'en-GB' });
    await context.addCookies([
      { name: 'sessionid', value: 'classic-session', url: CLOUD_APPS, httpOnly: true },
    ]);
    // No internet here: the unified portal answers with a stand-in page.
    await context.route('https://security.microsoft.com/**', (route) =>
      route.fulfill({ contentType: 'text/html', body: '<title>Microsoft Defender</title>' }),
    );
    const tab = await context.newPage();
    await tab.goto(`${CLOUD_APPS}/?tid=${TENANT}#/alerts`);
    await tab.waitForURL(/^https:\/\/security\.microsoft\.com\//);
    expect(tab.url()).toBe(`https://security.microsoft.com/alerts?tid=${TENANT}`);
    await shot(tab, '10-cloud-apps-new-tab-unified');
    // The hop marker was used once: it is gone from the classic portal's cookies.
    const left = (await context.cookies(CLOUD_APPS)).map((c) => c.name);
    expect(left).toContain('sessionid');
    expect(left).not.toContain('portal_redirect_hop');
    await context.close();
  });

  it('on a legacy page with redirection off, the banner shows and can be dismissed', async () => {
    const page = await browser.newPage({ locale: 'en-GB', viewport: { width: 1100, height: 700 } });
    await page.goto(`${LEGACY}/alerts?tid=${TENANT}`);
    const banner = page.locator('#portal-redirect-banner');
    expect(await banner.isVisible()).toBe(true);
    expect(await banner.textContent()).toContain(
      'This portal is moving to the Microsoft Defender portal.',
    );
    expect(await banner.locator('a').first().getAttribute('href')).toBe(
      `https://security.microsoft.com/alerts?tid=${TENANT}`,
    );
    expect(await page.textContent('h1')).toBe('Legacy portal');
    await shot(page, '08-legacy-banner');
    await Promise.all([
      page.waitForURL(`${LEGACY}/alerts?tid=${TENANT}`),
      banner.locator('a:has-text("Dismiss")').click(),
    ]);
    expect(await page.locator('#portal-redirect-banner').count()).toBe(0);
    await shot(page, '09-legacy-banner-dismissed');
    await page.close();
  });

  it('observe: legacy traffic passes without a banner and shows in the report; a scheduled change applies', async () => {
    const page = await browser.newPage({ locale: 'en-GB', viewport: { width: 1100, height: 900 } });
    await signIn(page, 'security-admin', 'Ada Admin');
    const endpoint = page.locator('section[data-product="endpoint"]');
    await endpoint.locator('form[data-confirm="dialog-endpoint-observe"] button').click();
    const dialog = page.locator('#dialog-endpoint-observe');
    await expect.poll(() => dialog.isVisible()).toBe(true);
    expect(await dialog.textContent()).toContain('Observe before turning redirection on?');
    await shot(page, '11-confirm-observe');
    await Promise.all([
      page.waitForURL(/saved=endpoint/),
      dialog.locator('button[type=submit]').click(),
    ]);
    expect(await endpoint.locator('.state').getAttribute('data-state')).toBe('observe');
    await shot(page, '12-endpoints-observe');

    // Legacy traffic. The edge sees the change once its caches expire (up to about 50 s):
    // navigate until it does, counting the navigations it observed.
    const legacy = await browser.newPage({ locale: 'en-GB' });
    let observed = 0;
    const visit = async (path: string, query = `?tid=${TENANT}`) => {
      const res = await legacy.goto(`${LEGACY}${path}${query}`);
      const reason = res?.headers()['x-redirect-reason'];
      if (reason === 'observe-would-redirect') observed++;
      return reason;
    };
    await expect
      .poll(() => visit('/alerts'), { timeout: 70_000, interval: 2_000 })
      .toBe('observe-would-redirect');
    // Two more known pages, and one no row knows (its id never reaches the report), opened
    // where a verified sign-in left the tenant: a link's own ?tid= feeds no path to the report.
    await legacy
      .context()
      .addCookies([{ name: 'portal_redirect_tid', value: TENANT, url: LEGACY }]);
    for (const [path, query] of [
      ['/machines', undefined],
      ['/alerts', undefined],
      [`/foo/${TENANT}/bar`, ''],
    ] as const) {
      expect(await visit(path, query)).toBe('observe-would-redirect');
      expect(await legacy.locator('#portal-redirect-banner').count()).toBe(0);
    }
    expect(await legacy.textContent('h1')).toBe('Legacy portal');
    await shot(legacy, '13-legacy-observed-no-banner');
    await legacy.close();

    const report = page.locator('[data-report="endpoint"]');
    await expect
      .poll(
        async () => {
          await page.goto(`${BASE}/settings`);
          return report.locator('[data-figure="observed"] td').first().textContent();
        },
        { timeout: 20_000 },
      )
      .toBe(String(observed));
    expect(await report.locator('svg.chart rect').count()).toBeGreaterThan(0);
    expect(await report.textContent()).toContain('/foo/:guid/bar');
    expect(await report.textContent()).not.toContain(TENANT);
    await report.scrollIntoViewIfNeeded();
    await shot(page, '14-report-with-chart');
    expect(await seriousViolations(page)).toEqual([]);

    // Schedule Endpoints on, a few seconds ahead (the test's minimum lead), and see it applied.
    // Whole minutes would lose their ':00' in the field (Chromium drops zero seconds).
    const atMs = Date.now() + 8_000;
    const at = new Date(atMs % 60_000 < 1_000 ? atMs + 1_000 : atMs).toISOString().slice(0, 19);
    await page.selectOption('#schedule-product', 'endpoint');
    await page.selectOption('#schedule-mode', 'on');
    await page.fill('#schedule-at', at);
    await Promise.all([
      page.waitForURL(/done=scheduled/),
      page.click('form[action="/settings/schedules"] button[type=submit]'),
    ]);
    expect(await page.locator('[data-schedule]').count()).toBe(1);
    await shot(page, '15-change-scheduled');
    await expect
      .poll(
        async () => {
          await page.goto(`${BASE}/settings`);
          return endpoint.locator('.state').getAttribute('data-state');
        },
        { timeout: 40_000, interval: 2_000 },
      )
      .toBe('on');
    expect(await page.locator('[data-schedule]').count()).toBe(0);
    await shot(page, '16-schedule-applied');
    await page.click('a[href="/settings/audit"]');
    const first = page.locator('tbody tr').first();
    expect(await first.textContent()).toContain('Turned on');
    expect(await first.textContent()).toContain('Scheduled by Ada Admin');
    await shot(page, '17-audit-applied-by-schedule');
    await page.close();
  });
});
