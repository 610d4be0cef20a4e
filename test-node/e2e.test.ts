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
    service = await startService(PORT, 'e2e');
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
    await endpoint.locator('form[data-confirm] button').click();
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

    await endpoint.locator('form[data-confirm] button').click();
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
    await cloudapps.locator('form[data-confirm] button').click();
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
});
