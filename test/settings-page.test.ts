import { describe, expect, it } from 'vitest';
import worker from '../src/index';
import type { Env } from '../src/config';
import { keys } from '../src/store/records';
import { parseCsv } from '../src/objects/audit-export';
import { adminToken, api, expectErrorPage } from './api-helpers';
import { newTenant, send, testEnv } from './helpers';
import { configure } from './tenant-settings-helpers';
import { ADMIN, Browser } from './settings-page-browser';

describe('settings page: sign-in', () => {
  it('shows the dev sign-in when DEV_AUTH is on, with a strict nonce CSP and no external assets', async () => {
    const b = new Browser();
    const res = await b.go('/settings');
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).toMatch(/script-src 'nonce-[^']+'/);
    const html = await res.text();
    expect(html).toContain('Development sign-in');
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)="https?:/);
    expect(b.cookies.has('pr_csrf')).toBe(true);
  });

  it('has no dev sign-in when DEV_AUTH is off (as in production)', async () => {
    const env = { ...testEnv, DEV_AUTH: 'false' } as Env;
    const page = await worker.fetch(new Request(`${ADMIN}/settings`), env);
    expect(await page.text()).not.toContain('Development sign-in');
    const post = await worker.fetch(
      new Request(`${ADMIN}/auth/dev`, {
        method: 'POST',
        headers: { Origin: ADMIN, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: 'tenant=x',
      }),
      env,
    );
    expect(post.status).toBe(404);
  });

  it('refuses a sign-in form without the CSRF token, or from another origin', async () => {
    const b = new Browser();
    await b.go('/settings');
    const noToken = await b.go('/auth/dev', {
      method: 'POST',
      form: { tenant: newTenant(), role: 'global-admin' },
    });
    expect(noToken.status).toBe(403);
    const page = await (await b.go('/settings')).text();
    const crossSite = await send(
      new Request(`${ADMIN}/auth/dev`, {
        method: 'POST',
        headers: {
          Origin: 'https://evil.example',
          'Content-Type': 'application/x-www-form-urlencoded',
          Cookie: `pr_csrf=${b.cookies.get('pr_csrf')}`,
        },
        body: new URLSearchParams({
          csrf: b.csrf(page),
          tenant: newTenant(),
          role: 'global-admin',
        }).toString(),
      }),
    );
    expect(crossSite.status).toBe(403);
  });

  it('starts an OIDC authorization-code flow with PKCE when configured', async () => {
    const env = {
      ...testEnv,
      AUTH_CLIENT_ID: 'client-1',
      AUTH_AUTHORITY: 'https://login.microsoftonline.com/organizations/v2.0',
    } as Env;
    const res = await worker.fetch(new Request(`${ADMIN}/auth/login`), env);
    expect(res.status).toBe(302);
    const to = new URL(res.headers.get('location')!);
    expect(to.origin + to.pathname).toBe(
      'https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize',
    );
    expect(Object.fromEntries(to.searchParams)).toMatchObject({
      client_id: 'client-1',
      response_type: 'code',
      redirect_uri: `${ADMIN}/auth/callback`,
      code_challenge_method: 'S256',
    });
    expect(to.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const flow = res.headers.get('set-cookie') ?? '';
    expect(flow).toContain('HttpOnly');
    // A callback whose state does not match the flow cookie is refused.
    const cookie = flow.split(';')[0]!;
    const bad = await worker.fetch(
      new Request(`${ADMIN}/auth/callback?code=abc&state=forged`, { headers: { Cookie: cookie } }),
      env,
    );
    expect(bad.status).toBe(400);
  });
});

describe('settings page: an admin changes a toggle', () => {
  it('shows every product as admins know it, with state, source and last change', async () => {
    const b = new Browser();
    const tenant = newTenant();
    await b.signIn(tenant, 'security-admin', 'Ada');
    const html = await (await b.go('/settings')).text();
    for (const section of [
      'Endpoints &gt; General &gt; Portal redirection',
      'Email &amp; collaboration &gt; Portal redirection',
      'Identities &gt; General &gt; Portal redirection',
      'Cloud Apps &gt; System &gt; Redirection',
    ]) {
      expect(html).toContain(section);
    }
    expect(html).toContain('Default setting');
    expect(html).toContain('Never changed.');
    expect(html).toContain(`Tenant ${tenant}`);
  });

  it('serves its enhancement script intact, under the CSP nonce', async () => {
    const { SCRIPT } = await import('../src/pages/assets');
    const b = new Browser();
    await b.signIn(newTenant(), 'global-admin');
    const res = await b.go('/settings');
    const nonce = /script-src 'nonce-([^']+)'/.exec(
      res.headers.get('content-security-policy') ?? '',
    )?.[1];
    const html = await res.text();
    expect(html).toContain(`<script nonce="${nonce}">${SCRIPT}</script>`);
    expect(() => new Function(SCRIPT)).not.toThrow();
  });

  it('a form that names no state is refused and changes nothing (it used to mean off)', async () => {
    const b = new Browser();
    const tenant = newTenant();
    await b.signIn(tenant, 'security-admin', 'Ada');
    const csrf = b.csrf(await (await b.go('/settings/confirm/endpoint?mode=on&version=0')).text());
    await b.go('/settings/endpoint', { method: 'POST', form: { csrf, mode: 'on' } });
    for (const form of [{ csrf }, { csrf, mode: 'maybe' }, { csrf, enabled: 'yes' }] as Record<
      string,
      string
    >[]) {
      const res = await b.go('/settings/endpoint', { method: 'POST', form });
      await expectErrorPage(res, 400, 'invalid_request');
    }
    const page = await (await b.go('/settings')).text();
    expect(page).toMatch(/data-product="endpoint"[\s\S]*?data-state="on"/);
  });

  it('enable (with confirmation) then disable with feedback; both in the audit view', async () => {
    const b = new Browser();
    const tenant = newTenant();
    await b.signIn(tenant, 'security-admin', 'Ada');
    const confirm = await (await b.go('/settings/confirm/endpoint?enabled=true&version=0')).text();
    expect(confirm).toContain('Turn on automatic redirection for Endpoints?');
    // How long it takes, from the configured cache times (20 s + 30 s + KV's replication).
    expect(confirm).toContain('every account within about 60 seconds');
    expect(confirm).toContain('when they next sign in');
    expect(confirm).toContain('name="version" value="0"');
    const csrf = b.csrf(confirm);
    expect(
      (
        await b.go('/settings/endpoint', {
          method: 'POST',
          form: { csrf, enabled: 'true', version: '0' },
        })
      ).headers.get('location'),
    ).toBe('/settings?saved=endpoint');
    let page = await (await b.go('/settings?saved=endpoint')).text();
    expect(page).toContain('Saved: Endpoints is now On.');
    expect(page).toMatch(/data-product="endpoint"[\s\S]*?data-state="on"/);
    expect(page).toContain('Last changed by Ada');
    const disable = await (await b.go('/settings/confirm/endpoint?enabled=false&version=1')).text();
    expect(disable).toContain('Disable &amp; share feedback');
    await b.go('/settings/endpoint', {
      method: 'POST',
      form: { csrf, enabled: 'false', feedback: 'Our SIEM playbooks still open the old portal' },
    });
    page = await (await b.go('/settings')).text();
    expect(page).toMatch(/data-product="endpoint"[\s\S]*?data-state="off"/);
    const audit = await (await b.go('/settings/audit')).text();
    const rows = audit.match(/<tr data-entry=[\s\S]*?<\/tr>/g) ?? [];
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain('Turned off: On → Off');
    expect(rows[0]).toContain('Our SIEM playbooks still open the old portal');
    expect(rows[1]).toContain('Turned on: Off → On');
    // The API sees the same change.
    const stored = JSON.parse((await testEnv.TOGGLES.get(keys.toggle(tenant, 'endpoint')))!) as {
      enabled: boolean;
      version: number;
    };
    expect(stored).toMatchObject({ enabled: false, version: 2 });
  });

  it('links the audit export from the audit view, and serves it for the session', async () => {
    const b = new Browser();
    const tenant = newTenant();
    await b.signIn(tenant, 'security-admin', 'Ada');
    const csrf = b.csrf(await (await b.go('/settings')).text());
    await b.go('/settings/office', {
      method: 'POST',
      form: { csrf, enabled: 'false', feedback: '=1+1 is not a formula here' },
    });
    const audit = await (await b.go('/settings/audit')).text();
    expect(audit).toContain('href="/settings/audit/export?format=csv"');
    expect(audit).toContain('href="/settings/audit/export?format=json"');
    const csv = await b.go('/settings/audit/export?format=csv');
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toMatch(
      new RegExp(`^attachment; filename="audit-${tenant}-[0-9-]+\\.csv"$`),
    );
    expect(csv.headers.get('cache-control')).toBe('no-store');
    const rows = parseCsv(await csv.text());
    expect(rows).toHaveLength(2);
    expect(rows[1]).toContain("'=1+1 is not a formula here");
    const json = await b.go('/settings/audit/export?format=json');
    expect(((await json.json()) as { tenantId: string }).tenantId).toBe(tenant);
    expect((await b.go('/settings/audit/export?format=xml')).status).toBe(400);
    // Signed out, there is no export.
    expect((await new Browser().go('/settings/audit/export?format=csv')).status).toBe(303);
  });

  it('says so on the page when the tenant is over its write limit, and writes nothing', async () => {
    const b = new Browser();
    const tenant = newTenant();
    await b.signIn(tenant, 'security-admin');
    configure(tenant, { writesPerMinute: 1 });
    const csrf = b.csrf(await (await b.go('/settings')).text());
    const first = await b.go('/settings/endpoint', {
      method: 'POST',
      form: { csrf, enabled: 'true' },
    });
    expect(first.headers.get('location')).toBe('/settings?saved=endpoint');
    const second = await b.go('/settings/endpoint', {
      method: 'POST',
      form: { csrf, enabled: 'false' },
    });
    expect(second.status).toBe(429);
    const page = await second.text();
    expect(page).toContain('Too many changes for your organisation just now.');
    expect(page).toMatch(/data-product="endpoint"[\s\S]*?data-state="on"/);
  });

  it('rejects a change without the CSRF token, and writes nothing', async () => {
    const b = new Browser();
    const tenant = newTenant();
    await b.signIn(tenant, 'global-admin');
    const res = await b.go('/settings/identity', {
      method: 'POST',
      form: { csrf: 'wrong', enabled: 'true' },
    });
    const html = await expectErrorPage(res, 403, 'forbidden');
    expect(html).toContain('This form has expired or was sent from elsewhere.');
    expect(html).toContain('Reload the settings page and try again.');
    expect(await testEnv.TOGGLES.get(keys.toggle(tenant, 'identity'))).toBeNull();
  });

  it('a tab opened before a colleague changed the product writes nothing, and says who changed it to what', async () => {
    const b = new Browser();
    const tenant = newTenant();
    await b.signIn(tenant, 'security-admin', 'Ada');
    const stale = await (await b.go('/settings')).text();
    expect(stale).toMatch(/id="dialog-office"[\s\S]*?name="version" value="0"/);
    // Meanwhile, through the API: Office to observe.
    const token = await adminToken(tenant, ['security-admin'], { name: 'Bo Colleague' });
    await api('PUT', `/tenants/${tenant}/redirection/office`, { token, body: { mode: 'observe' } });
    const res = await b.go('/settings/office', {
      method: 'POST',
      form: { csrf: b.csrf(stale), mode: 'off', version: '0', feedback: 'not yet' },
    });
    expect(res.status).toBe(409);
    const page = await res.text();
    expect(page).not.toContain('Saved');
    expect(page).toContain(
      'Nothing was saved: Bo Colleague changed Email &amp; collaboration to Observe',
    );
    expect(page).toMatch(/data-product="office"[\s\S]*?data-state="observe"/);
    const audit = (await (
      await api('GET', `/tenants/${tenant}/redirection/audit`, { token })
    ).json()) as { entries: unknown[] };
    expect(audit.entries).toHaveLength(1);
  });

  it('says what moves and what stays, per product, from the catalogue', async () => {
    const b = new Browser();
    await b.signIn(newTenant(), 'security-reader');
    const page = await (await b.go('/settings')).text();
    const line = (p: string) =>
      new RegExp(`data-moves="${p}">([^<]*)<`).exec(page)?.[1]?.replace(/&amp;/g, '&') ?? '';
    expect(line('office')).toContain('Moves to the Microsoft Defender portal: home, alerts');
    expect(line('office')).toContain(
      'Stays on the legacy portal: compliance, mail flow, every other page.',
    );
    expect(line('endpoint')).toContain('Stays on the legacy portal: service health');
    expect(line('cloudapps')).toContain(
      'the API, security configuration (Microsoft Defender for Cloud)',
    );
    expect(line('identity')).toContain('Stays on the legacy portal: nothing.');
  });
});

describe('settings page: roles', () => {
  it('readers see it read-only, with the sentence naming who may change it', async () => {
    const b = new Browser();
    await b.signIn(newTenant(), 'security-reader');
    const html = await (await b.go('/settings')).text();
    expect(html).not.toMatch(/action="\/settings\/confirm\//);
    expect(html).toContain(
      'Only a Global Administrator or Security Administrator can change them.',
    );
    expect(html).toContain(
      'Only a Global Administrator, Security Administrator or Cloud App Security Administrator can change them.',
    );
  });

  it('a Cloud App Security Administrator is offered only the Cloud Apps toggle, and the server agrees', async () => {
    const b = new Browser();
    const tenant = newTenant();
    await b.signIn(tenant, 'cloud-app-security-admin');
    const html = await (await b.go('/settings')).text();
    // Its two choices (on/off and observe), and nothing for the other products.
    expect(new Set(html.match(/action="\/settings\/confirm\/(\w+)"/g))).toEqual(
      new Set(['action="/settings/confirm/cloudapps"']),
    );
    const forced = await b.go('/settings/endpoint', {
      method: 'POST',
      form: { csrf: b.csrf(html), enabled: 'true' },
    });
    expect(forced.status).toBe(403);
  });
});

describe('settings page: languages', () => {
  it('speaks Dutch from Accept-Language, with Dutch dates, and switches with ?lang=', async () => {
    const b = new Browser();
    b.lang = 'nl-NL,nl;q=0.9,en;q=0.5';
    const tenant = newTenant();
    await b.signIn(tenant, 'global-admin', 'Daan');
    const page = await (await b.go('/settings/confirm/office?enabled=false&version=0')).text();
    await b.go('/settings/office', {
      method: 'POST',
      form: { csrf: b.csrf(page), enabled: 'false' },
    });
    const html = await (await b.go('/settings')).text();
    expect(html).toContain('<html lang="nl">');
    expect(html).toContain('Eindpunten &gt; Algemeen &gt; Portalomleiding');
    expect(html).toMatch(/Laatst gewijzigd door Daan op \d{1,2} \w+ \d{4}/);
    const switched = await b.go('/settings?lang=en');
    expect(await switched.text()).toContain('<html lang="en">');
    // One choice, one cookie: the page reads the language once.
    expect(switched.headers.getSetCookie().filter((c) => c.startsWith('pr_lang='))).toHaveLength(1);
    expect(b.cookies.get('pr_lang')).toBe('en');
    expect(await (await b.go('/settings')).text()).toContain('Endpoints &gt; General');
  });
});

describe('settings page: OpenID Connect sign-in (code + PKCE) against a local provider', () => {
  it('signs in through authorize, callback and token exchange, and lands on the settings', async () => {
    const tenant = newTenant();
    const origin = (testEnv as unknown as { PASSTHROUGH_ORIGIN: string }).PASSTHROUGH_ORIGIN;
    const env = {
      ...testEnv,
      DEV_AUTH: 'false',
      AUTH_CLIENT_ID: 'client-1',
      AUTH_AUTHORITY: `${origin}/${tenant}/v2.0`,
    } as Env;
    const login = await worker.fetch(new Request(`${ADMIN}/auth/login`), env);
    const flowCookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    // The "browser" follows the redirect to the provider, which sends it back with a code.
    const authorize = await fetch(login.headers.get('location')!, { redirect: 'manual' });
    const callback = new URL(authorize.headers.get('location')!);
    expect(callback.origin + callback.pathname).toBe(`${ADMIN}/auth/callback`);
    const done = await worker.fetch(
      new Request(callback.href, { headers: { Cookie: flowCookie } }),
      env,
    );
    expect(done.status).toBe(303);
    const session = done.headers.getSetCookie().find((c) => c.startsWith('pr_session='))!;
    expect(session).toContain('HttpOnly');
    const page = await worker.fetch(
      new Request(`${ADMIN}/settings`, { headers: { Cookie: session.split(';')[0]! } }),
      env,
    );
    const html = await page.text();
    expect(html).toContain('Signed in as OIDC Admin');
    expect(html).toContain(`Tenant ${tenant}`);
    // The code is single-use: replaying the callback fails.
    const replay = await worker.fetch(
      new Request(callback.href, { headers: { Cookie: flowCookie } }),
      env,
    );
    expect(replay.status).toBeGreaterThanOrEqual(400);
  });
});

describe('settings page: errors are pages, in the visitor language', () => {
  it('an expired form, a refused dev sign-in and an unknown page answer a page with status, what and what to do', async () => {
    const b = new Browser();
    b.lang = 'nl-NL,nl;q=0.9';
    const page = await (await b.go('/settings')).text();
    expect(page.startsWith('<!doctype html>')).toBe(true);
    const refused = await b.go('/auth/dev', {
      method: 'POST',
      form: { csrf: b.csrf(page), tenant: 'contoso', role: 'security-admin' },
    });
    const html = await expectErrorPage(refused, 400, 'invalid_request');
    expect(html).toContain('<html lang="nl">');
    expect(html).toContain('Fout 400');
    expect(html).toContain('Het verzoek kon niet worden gebruikt.');
    const expired = await b.go('/auth/logout', { method: 'POST', form: { csrf: 'stale' } });
    expect(await expectErrorPage(expired, 403, 'forbidden')).toContain(
      'Laad de instellingenpagina opnieuw',
    );
    await b.signIn(newTenant(), 'security-reader');
    await expectErrorPage(await b.go('/settings/no-such-page'), 404, 'not_found');
    // The API keeps its JSON envelope.
    const api404 = await send(new Request(`${ADMIN}/api/nope`));
    expect(api404.headers.get('content-type')).toContain('application/json');
  });

  it('an unexpected failure says nothing internal', async () => {
    const b = new Browser();
    await b.signIn(newTenant(), 'security-admin');
    // A cursor the object cannot read is the request's fault: the view says so in words.
    const audit = await b.go('/settings/audit?cursor=%%%');
    expect(audit.status).toBeLessThan(500);
  });

  it('offers the demo tenant and names the roles in words', async () => {
    const env = { ...testEnv, DEV_TENANT: '0d3a8f5e-5c7a-4b4e-9d6f-2a1b3c4d5e6f' } as Env;
    const page = await (await worker.fetch(new Request(`${ADMIN}/settings`), env)).text();
    expect(page).toContain('value="0d3a8f5e-5c7a-4b4e-9d6f-2a1b3c4d5e6f"');
    expect(page).toContain('<option value="security-admin">Security Administrator</option>');
    // A pattern Chromium compiles (the v flag refuses a class ending in `-`).
    const pattern = /pattern="([^"]+)"/.exec(page)?.[1] as string;
    expect(() => new RegExp(pattern, 'v')).not.toThrow();
    expect(new RegExp(`^(?:${pattern})$`, 'v').test('0d3a8f5e-5c7a-4b4e-9d6f-2a1b3c4d5e6f')).toBe(
      true,
    );
  });
});

describe('settings page: the audit view', () => {
  it('shows from -> to, schedules set and cancelled, filters by product, actor and dates, and pages', async () => {
    const b = new Browser();
    const tenant = newTenant();
    await b.signIn(tenant, 'security-admin', 'Ada');
    const bo = await adminToken(tenant, ['security-admin'], {
      name: 'Bo',
      preferred_username: 'bo@contoso.test',
    });
    for (const mode of ['on', 'observe', 'off'] as const)
      await api('PUT', `/tenants/${tenant}/redirection/identity`, { token: bo, body: { mode } });
    const at = new Date(Date.now() + 86_400_000).toISOString();
    const created = await api('POST', `/tenants/${tenant}/redirection/schedules`, {
      token: bo,
      body: { product: 'office', mode: 'off', at },
    });
    const { id } = (await created.json()) as { id: string };
    await api('DELETE', `/tenants/${tenant}/redirection/schedules/${id}`, { token: bo });
    const rows = (html: string) => html.match(/<tr data-entry=[\s\S]*?<\/tr>/g) ?? [];

    const all = await (await b.go('/settings/audit')).text();
    const entries = rows(all);
    expect(entries).toHaveLength(5);
    expect(entries[0]).toContain('Cancelled the change to Off scheduled for');
    expect(entries[1]).toContain('Scheduled: Off on');
    expect(entries[2]).toContain('Turned off: Observe → Off');
    expect(entries[3]).toContain('Set to observe: On → Observe');
    expect(entries[4]).toContain('Turned on: Off → On');
    expect(all).toContain('href="/settings/audit/export?format=csv"');

    expect(rows(await (await b.go('/settings/audit?product=office')).text())).toHaveLength(2);
    // 21 changes: a page of 20, then the rest, with the filter kept in the link.
    for (let i = 0; i < 16; i++)
      await api('PUT', `/tenants/${tenant}/redirection/endpoint`, {
        token: bo,
        body: { mode: i % 2 === 0 ? 'on' : 'off' },
      });
    const first = await (await b.go('/settings/audit?actor=bo%40contoso.test')).text();
    expect(rows(first)).toHaveLength(20);
    const next = /href="(\/settings\/audit\?actor=bo%40contoso\.test&amp;cursor=[^"]+)"/.exec(
      first,
    )?.[1];
    expect(next).toBeDefined();
    const second = await (await b.go((next as string).replace(/&amp;/g, '&'))).text();
    expect(rows(second)).toHaveLength(1);
    expect(rows(await (await b.go('/settings/audit?actor=BO%40contoso.test')).text())).toHaveLength(
      20,
    );
    expect(rows(await (await b.go('/settings/audit?actor=someone-else')).text())).toHaveLength(0);
    const today = new Date().toISOString().slice(0, 10);
    const filtered = await (
      await b.go(`/settings/audit?product=identity&from=${today}&to=${today}`)
    ).text();
    expect(rows(filtered)).toHaveLength(3);
    expect(filtered).toMatch(/<option value="identity" selected="">/);
    expect(rows(await (await b.go('/settings/audit?to=2020-01-01')).text())).toHaveLength(0);
    const invalid = await b.go('/settings/audit?from=yesterday');
    expect(invalid.status).toBe(400);
    expect(await invalid.text()).toContain('These filters cannot be used');
  });
});
