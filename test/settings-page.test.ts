import { describe, expect, it } from 'vitest';
import worker from '../src/index';
import type { Env } from '../src/config';
import { keys } from '../src/store/records';
import { parseCsv } from '../src/objects/audit-export';
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
    const csrf = b.csrf(await (await b.go('/settings/confirm/endpoint?mode=on')).text());
    await b.go('/settings/endpoint', { method: 'POST', form: { csrf, mode: 'on' } });
    for (const form of [{ csrf }, { csrf, mode: 'maybe' }, { csrf, enabled: 'yes' }] as Record<
      string,
      string
    >[]) {
      const res = await b.go('/settings/endpoint', { method: 'POST', form });
      expect(res.status, JSON.stringify(form)).toBe(400);
      expect(((await res.json()) as { error: string }).error).toBe('invalid_request');
    }
    const page = await (await b.go('/settings')).text();
    expect(page).toMatch(/data-product="endpoint"[\s\S]*?data-state="on"/);
  });

  it('enable (with confirmation) then disable with feedback; both in the audit view', async () => {
    const b = new Browser();
    const tenant = newTenant();
    await b.signIn(tenant, 'security-admin', 'Ada');
    const confirm = await (await b.go('/settings/confirm/endpoint?enabled=true')).text();
    expect(confirm).toContain('Turn on automatic redirection?');
    expect(confirm).toContain('up to about a minute');
    expect(confirm).toContain('after they sign in again');
    const csrf = b.csrf(confirm);
    expect(
      (
        await b.go('/settings/endpoint', { method: 'POST', form: { csrf, enabled: 'true' } })
      ).headers.get('location'),
    ).toBe('/settings?saved=endpoint');
    let page = await (await b.go('/settings?saved=endpoint')).text();
    expect(page).toContain('Saved.');
    expect(page).toMatch(/data-product="endpoint"[\s\S]*?data-state="on"/);
    expect(page).toContain('Last changed by Ada');
    const disable = await (await b.go('/settings/confirm/endpoint?enabled=false')).text();
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
    expect(rows[0]).toContain('Turned off');
    expect(rows[0]).toContain('Our SIEM playbooks still open the old portal');
    expect(rows[1]).toContain('Turned on');
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
    await configure(tenant, { writesPerMinute: 1 });
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
    expect(second.headers.get('location')).toBe('/settings?error=rate-limited');
    const page = await (await b.go('/settings?error=rate-limited')).text();
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
    expect(res.status).toBe(403);
    expect(await testEnv.TOGGLES.get(keys.toggle(tenant, 'identity'))).toBeNull();
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
    const page = await (await b.go('/settings/confirm/office?enabled=false')).text();
    await b.go('/settings/office', {
      method: 'POST',
      form: { csrf: b.csrf(page), enabled: 'false' },
    });
    const html = await (await b.go('/settings')).text();
    expect(html).toContain('<html lang="nl">');
    expect(html).toContain('Eindpunten &gt; Algemeen &gt; Portalomleiding');
    expect(html).toMatch(/Laatst gewijzigd door Daan op \d{1,2} \w+ \d{4}/);
    const english = await (await b.go('/settings?lang=en')).text();
    expect(english).toContain('<html lang="en">');
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
