import { describe, expect, it } from 'vitest';
import {
  decisionOf,
  EDGE_COOKIE,
  legacySession,
  navigate,
  navigation,
  newTenant,
  seedToggle,
  send,
  tenantCookie,
} from './helpers';

const HOST = 'securitycenter.windows.com';
const MDE = `https://${HOST}`;

describe('the banner on legacy portals', () => {
  it('appears at the top of <body> for a signed-in user whose tenant has redirection off', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'endpoint', false);
    const res = await navigate(`${MDE}/alert/da123?tid=${tenant}`, {
      cookies: await legacySession(HOST),
      site: 'cross-site',
    });
    expect(decisionOf(res)).toEqual({ decision: 'pass', reason: 'session-sticky' });
    const html = await res.text();
    expect(html).toMatch(/<body><div id="portal-redirect-banner"/);
    expect(html).toContain('This portal is moving to the Microsoft Defender portal.');
    expect(html).toContain(`href="https://security.microsoft.com/alert/da123?tid=${tenant}"`);
    expect(html).toContain('href="http://127.0.0.1:8787/settings"');
    expect(html).toContain('Admins: configure automatic redirection');
    expect(html).toContain(
      `href="/__portal-redirect/dismiss-banner?return=%2Falert%2Fda123%3Ftid%3D${tenant}"`,
    );
    expect(res.headers.get('cache-control')).toBe('private, no-store');
  });

  it('also for a tenant on the default (off), where the edge remembers the tenant, and in Dutch', async () => {
    const tenant = newTenant();
    const res = await navigate(`${MDE}/machines`, {
      cookies: `${await legacySession(HOST)}; ${EDGE_COOKIE.tid}=${await tenantCookie(HOST, tenant)}`,
      headers: { 'Accept-Language': 'nl-BE,nl;q=0.9' },
    });
    expect(decisionOf(res).reason).toBe('session-sticky');
    expect(await res.text()).toContain('Deze portal verhuist naar de Microsoft Defender-portal.');
  });

  it('and on a page the portal serves without a session, decided toggle-off', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'endpoint', false);
    const res = await navigate(`${MDE}/__page/chunked?tid=${tenant}`);
    expect(decisionOf(res).reason).toBe('toggle-off');
    expect(await res.text()).toContain('portal-redirect-banner');
  });

  it('never for a tenant whose users move at their next sign-in, out of scope, observe or no tenant', async () => {
    const session = await legacySession(HOST);
    const on = newTenant();
    await seedToggle(on, 'endpoint', true);
    const moving = await navigate(`${MDE}/alerts?tid=${on}`, { cookies: session });
    expect(decisionOf(moving).reason).toBe('session-sticky');
    expect(await moving.text()).not.toContain('portal-redirect-banner');
    const observing = newTenant();
    await seedToggle(observing, 'endpoint', 'observe');
    const observed = await navigate(`${MDE}/alerts?tid=${observing}`, { cookies: session });
    expect(await observed.text()).not.toContain('portal-redirect-banner');
    const unknown = await navigate(`${MDE}/alerts`, { cookies: session });
    expect(await unknown.text()).not.toContain('portal-redirect-banner');
    const scope = await navigate(`https://protection.office.com/ediscovery?tid=${on}`, {
      cookies: await legacySession('protection.office.com'),
    });
    expect(decisionOf(scope).reason).toBe('out-of-scope');
    expect(await scope.text()).not.toContain('portal-redirect-banner');
  });

  it('links the page the redirect would land on: a hash route, with the query its row keeps', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'cloudapps', false);
    const host = 'portal.cloudappsecurity.com';
    const cookies = `${await legacySession(host)}; ${EDGE_COOKIE.tid}=${await tenantCookie(host, tenant)}`;
    const res = await navigate(`https://${host}/?hash=${encodeURIComponent('/files?status=1')}`, {
      cookies,
      site: 'same-origin',
    });
    expect(decisionOf(res).reason).toBe('session-sticky');
    expect(await res.text()).toContain(
      `href="https://security.microsoft.com/cloudapps/files?status=1&#38;tid=${tenant}"`,
    );
  });

  it('never touches non-HTML responses', async () => {
    const tenant = newTenant();
    const res = await send(
      new Request(`${MDE}/api/whatever?tid=${tenant}`, { headers: { Accept: 'text/html' } }),
    );
    expect(decisionOf(res).reason).toBe('default-off');
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.text()).not.toContain('portal-redirect-banner');
  });

  it('leaves a page without <body> alone, and works across tiny chunks and gzip', async () => {
    const tenant = newTenant();
    const none = await navigate(`${MDE}/__page/no-body?tid=${tenant}`);
    expect(await none.text()).toBe('<!doctype html><title>x</title><p>No body element here');
    for (const kind of ['chunked', 'gzip']) {
      const html = await (await navigate(`${MDE}/__page/${kind}?tid=${tenant}`)).text();
      expect(html, kind).toMatch(
        /^<!doctype html><html><head><title>Legacy<\/title><\/head><body class="legacy"><div id="portal-redirect-banner"[\s\S]*<\/div><h1>Legacy page<\/h1><\/body><\/html>$/,
      );
    }
  });

  it('is dismissed with a cookie, and the way back never leaves the host', async () => {
    const tenant = newTenant();
    const dismiss = await send(
      navigation(
        `${MDE}/__portal-redirect/dismiss-banner?return=${encodeURIComponent(`/alerts?tid=${tenant}`)}`,
      ),
    );
    expect(dismiss.status).toBe(303);
    expect(dismiss.headers.get('location')).toBe(`/alerts?tid=${tenant}`);
    const cookie = dismiss.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(
      /^portal_redirect_banner=dismissed; Max-Age=2592000; Path=\/; HttpOnly; SameSite=Lax; Secure$/,
    );
    const after = await navigate(`${MDE}/__page/chunked?tid=${tenant}`, {
      cookies: 'portal_redirect_banner=dismissed',
    });
    expect(decisionOf(after).reason).toBe('default-off');
    expect(await after.text()).not.toContain('portal-redirect-banner');
    for (const evil of [
      '//evil.com',
      '/\\evil.com',
      'https://evil.com',
      '/%0d%0aSet-Cookie:x',
      'javascript:alert(1)',
    ]) {
      const res = await send(
        navigation(`${MDE}/__portal-redirect/dismiss-banner?return=${encodeURIComponent(evil)}`),
      );
      const location = res.headers.get('location') ?? '';
      expect(
        location.startsWith('/') && !location.startsWith('//') && !location.startsWith('/\\'),
        evil,
      ).toBe(true);
      expect(location).not.toMatch(/[\r\n]/);
    }
  });

  it('can be turned off per product in the catalogue', async () => {
    const { PRODUCTS } = await import('../src/catalogue/products');
    const { bannerWanted } = await import('../src/edge/banner');
    const endpoint = PRODUCTS.find((p) => p.id === 'endpoint')!;
    const decision = {
      action: 'pass' as const,
      reason: 'toggle-off' as const,
      product: 'endpoint' as const,
      tenant: null,
    };
    const facts = { method: 'GET', cookies: {} } as never;
    const page = () => new Response('<body></body>', { headers: { 'Content-Type': 'text/html' } });
    const toggles = { enabledFor: () => Promise.reject(new Error('not read')) };
    expect(bannerWanted(endpoint, decision, facts, page(), toggles)).toBe(true);
    expect(bannerWanted({ ...endpoint, banner: false }, decision, facts, page(), toggles)).toBe(
      false,
    );
  });
});
