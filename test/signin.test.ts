/**
 * The sign-in: the moment a new legacy session starts. Every test walks the trip a browser
 * makes: the navigation, which the edge passes; the demo legacy portal's redirect to Entra ID
 * (form_post, nonce, state, its correlation cookie), which the edge remembers; Entra ID's
 * form_post back to the portal's callback, through the edge.
 */
import { describe, expect, it } from 'vitest';
import type { Env } from '../src/config';
import { parseConfig } from '../src/config';
import { CONSUMER_TENANT } from '../src/lib/entra';
import worker from '../src/index';
import { adminToken, strangerKey } from './api-helpers';
import {
  beginSignIn,
  CLIENT_ID,
  CookieJar,
  completeSignIn,
  decisionOf,
  EDGE_COOKIE,
  idToken,
  edgeSigner,
  legacySession,
  navigate,
  navigation,
  newTenant,
  seedHost,
  seedToggle,
  send,
  setCookies,
  signInPost,
  tenantCookie,
  testEnv,
} from './helpers';

const MDE = 'https://securitycenter.windows.com';
const OFFICE = 'https://protection.office.com';
const MCAS = 'https://portal.cloudappsecurity.com';
const U = 'https://security.microsoft.com';
const ALERT = '/alert/da637472900382838869_1364969609';

describe('the edge remembers a sign-in it sees the legacy portal start', () => {
  it('the portal sends the navigation to Entra ID: its redirect passes, with the trip cookie added', async () => {
    const start = await beginSignIn(`${MDE}${ALERT}?utm_source=mail`);
    expect(decisionOf(start.response)).toEqual({ decision: 'pass', reason: 'unknown-tenant' });
    // The portal's own answer, untouched: Entra ID's authorize URL and its correlation cookie.
    expect(start.authorize.pathname).toBe('/organizations/oauth2/v2.0/authorize');
    expect(start.authorize.searchParams.get('response_mode')).toBe('form_post');
    expect(start.callback).toBe(`${MDE}/signin-oidc`);
    expect([...setCookies(start.response).keys()]).toContain(
      `.AspNetCore.Correlation.${start.state}`,
    );
    const trip = setCookies(start.response).get(EDGE_COOKIE.trip) ?? '';
    for (const attr of ['Max-Age=600', 'Path=/', 'HttpOnly', 'Secure', 'SameSite=None'])
      expect(trip).toContain(attr);
    expect(trip.toLowerCase()).not.toContain('domain=');
    expect(start.response.headers.get('cache-control')).toBe('private, no-store');
  });

  it('a bound sign-in remembers the tenant, sends the browser to the deep link, and uses the trip', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'endpoint', true);
    const start = await beginSignIn(`${MDE}${ALERT}?utm_source=mail`);
    const res = await completeSignIn(start, { tenant });
    expect(res.status).toBe(303);
    expect(decisionOf(res)).toEqual({ decision: 'redirect', reason: 'signed-in' });
    expect(res.headers.get('location')).toBe(`${U}${ALERT}?utm_source=mail&tid=${tenant}`);
    const remembered = setCookies(res).get(EDGE_COOKIE.tid) ?? '';
    for (const attr of ['Max-Age=2592000', 'Path=/', 'HttpOnly', 'Secure', 'SameSite=Lax'])
      expect(remembered).toContain(attr);
    expect(setCookies(res).get(EDGE_COOKIE.trip)).toContain('Max-Age=0');
    // Later links without ?tid= follow the remembered tenant.
    const later = await navigate(`${MDE}/incidents`, { cookies: start.jar.header() });
    expect(later.headers.get('location')).toBe(`${U}/incidents?tid=${tenant}`);
  });

  it('with redirection off, the form_post reaches the portal, which signs the user in; the banner then shows', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'endpoint', false);
    // The link names the tenant: the portal passes it to Entra ID, which signs in to it.
    const start = await beginSignIn(`${MDE}/alerts?tid=${tenant}`);
    expect(decisionOf(start.response).reason).toBe('toggle-off');
    expect(start.authorize.pathname).toBe(`/${tenant}/oauth2/v2.0/authorize`);
    const res = await completeSignIn(start);
    expect(decisionOf(res)).toEqual({ decision: 'pass', reason: 'toggle-off' });
    // The demo portal accepted its own state, nonce and correlation cookie.
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(`/alerts?tid=${tenant}`);
    expect(start.jar.has('sccauth')).toBe(true);
    expect(start.jar.has(EDGE_COOKIE.tid)).toBe(true);
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    const page = await navigate(`${MDE}/alerts?tid=${tenant}`, {
      cookies: start.jar.header(),
      site: 'cross-site',
    });
    expect(decisionOf(page)).toEqual({ decision: 'pass', reason: 'session-sticky' });
    const html = await page.text();
    expect(html).toContain('Legacy portal');
    expect(html).toContain('portal-redirect-banner');
  });

  it('a returning user whose session expired lands on the alert they clicked after signing in', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'endpoint', true);
    const jar = new CookieJar({
      sccauth: 'a-session-the-portal-no-longer-holds',
      [EDGE_COOKIE.tid]: await tenantCookie('securitycenter.windows.com', tenant),
    });
    const start = await beginSignIn(`${MDE}${ALERT}`, jar, { site: 'cross-site' });
    expect(decisionOf(start.response).reason).toBe('session-sticky');
    const res = await completeSignIn(start, { tenant });
    expect(res.headers.get('location')).toBe(`${U}${ALERT}?tid=${tenant}`);
  });

  it('a Cloud Apps hash link with no known tenant keeps its route through the sign-in', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'cloudapps', true);
    const jar = new CookieJar();
    // The browser asks for `/` (the route stays in its fragment); the portal sends it to sign in.
    const root = await navigate(`${MCAS}/`, { cookies: jar.header() });
    jar.take(root);
    expect(decisionOf(root)).toEqual({ decision: 'pass', reason: 'unknown-tenant' });
    // The edge answers the hash page instead, keeping the portal's correlation cookie: its script
    // sends the route back, or with none goes on to Entra ID.
    expect(root.status).toBe(200);
    const page = await root.text();
    const authorize = root.headers.get('location');
    expect(authorize).toBeNull();
    expect(page).toMatch(/location\.replace\("http:\/\/127\.0\.0\.1:\d+\/organizations\/oauth2/);
    expect([...jar.header().matchAll(/\.AspNetCore\.Correlation\./g)]).toHaveLength(1);
    // No hop marker: the continuation is decided as any navigation of this browser.
    expect(page).not.toContain('pr_hop');
    expect(page).toContain("'hash='+encodeURIComponent(h)");
    // The continuation goes to the portal, which starts the sign-in again: now with the route.
    const start = await beginSignIn(`${MCAS}/?hash=${encodeURIComponent('/alerts')}`, jar, {
      site: 'same-origin',
    });
    const res = await completeSignIn(start, { tenant });
    expect(res.headers.get('location')).toBe(`${U}/alerts?tid=${tenant}`);
  });

  it('leaves the sign-in for a page that stays to the portal, which shows that page', async () => {
    const tenant = newTenant();
    const start = await beginSignIn(`${OFFICE}/insiderriskmgmt`);
    expect(decisionOf(start.response).reason).toBe('out-of-scope');
    const res = await completeSignIn(start, { tenant });
    // Office is on by default: a page that moved would go to the unified portal; this one stays.
    expect(decisionOf(res)).toEqual({ decision: 'pass', reason: 'out-of-scope' });
    expect(res.headers.get('location')).toBe('/insiderriskmgmt');
    // The sign-in was this browser's own: its tenant is remembered, the trip used.
    const set = setCookies(res);
    expect(set.has(EDGE_COOKIE.tid)).toBe(true);
    expect(set.get(EDGE_COOKIE.trip)).toMatch(/Max-Age=0/);
  });

  it('remembers no link it could not send back safely, and no sign-in it did not see start', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'endpoint', true);
    // Too long: the trip is kept, the link is not; the sign-in goes home.
    const long = await beginSignIn(`${MDE}/alert/${'a'.repeat(1100)}`);
    expect(setCookies(long.response).has(EDGE_COOKIE.trip)).toBe(true);
    expect((await completeSignIn(long, { tenant })).headers.get('location')).toBe(
      `${U}/?tid=${tenant}`,
    );
    // The portal's own XHR, sent to sign in: not a navigation, nothing remembered.
    const xhr = await send(
      new Request(`${MDE}/alerts`, { headers: { 'Sec-Fetch-Mode': 'cors', Accept: '*/*' } }),
    );
    expect(setCookies(xhr).has(EDGE_COOKIE.trip)).toBe(false);
  });
});

describe('a sign-in the browser did not start decides nothing', () => {
  it('login CSRF: another site auto-posts a valid id_token of its own tenant', async () => {
    const [victim, attacker] = [newTenant(), newTenant()];
    await seedToggle(attacker, 'endpoint', true);
    // The victim is signed in to the classic portal and known as their own tenant.
    const jar = new CookieJar({
      [EDGE_COOKIE.tid]: await tenantCookie('securitycenter.windows.com', victim),
    });
    jar.set(
      ...((await legacySession('securitycenter.windows.com')).split('=') as [string, string]),
    );
    const token = await idToken(attacker, { aud: CLIENT_ID.endpoint });
    const res = await send(signInPost(`${MDE}/signin-oidc`, token, jar.header()));
    expect(decisionOf(res)).toEqual({ decision: 'pass', reason: 'sign-in-unbound' });
    expect(res.headers.get('location')).toBeNull();
    expect(res.headers.getSetCookie().filter((c) => c.includes('portal_redirect'))).toEqual([]);
    // The portal, which did not start this sign-in either, refuses it.
    expect(res.status).toBe(400);
    // The victim's next legacy link still follows their own tenant.
    const next = await navigate(`${MDE}/alerts`, {
      cookies: jar.take(res).header(),
      site: 'cross-site',
    });
    expect(decisionOf(next).reason).toBe('session-sticky');
    const tenantless = await navigate(`${MDE}/incidents`, {
      cookies: `${EDGE_COOKIE.tid}=${jar.get(EDGE_COOKIE.tid)}`,
    });
    expect(decisionOf(tenantless).reason).not.toBe('toggle-on');
  });

  it('a token posted into a browser mid-sign-in with another nonce is ignored, and the real one still binds', async () => {
    const [user, attacker] = [newTenant(), newTenant()];
    await seedToggle(user, 'endpoint', true);
    await seedToggle(attacker, 'endpoint', true);
    const start = await beginSignIn(`${MDE}/incidents`);
    const forged = await idToken(attacker, { aud: CLIENT_ID.endpoint, nonce: 'the-attackers-own' });
    const refused = await send(signInPost(start.callback, forged, start.jar.header(), start.state));
    expect(decisionOf(refused).reason).toBe('sign-in-unbound');
    expect(setCookies(refused).has(EDGE_COOKIE.trip)).toBe(false);
    const res = await completeSignIn(start, { tenant: user });
    expect(res.headers.get('location')).toBe(`${U}/incidents?tid=${user}`);
  });

  it('a sign-in is used once: the same form_post again, or in another browser, decides nothing', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'endpoint', true);
    const start = await beginSignIn(`${MDE}/incidents`);
    const token = await idToken(tenant, { aud: CLIENT_ID.endpoint, nonce: start.nonce });
    const tripCookie = `${EDGE_COOKIE.trip}=${start.jar.get(EDGE_COOKIE.trip)}`;
    const first = await completeSignIn(start, { token });
    expect(decisionOf(first).reason).toBe('signed-in');
    const again = await send(signInPost(start.callback, token, start.jar.header(), start.state));
    expect(decisionOf(again).reason).toBe('sign-in-unbound');
    const elsewhere = await send(signInPost(start.callback, token, undefined, start.state));
    expect(decisionOf(elsewhere).reason).toBe('sign-in-unbound');
    // The trip cookie is bound to its host: carried to another legacy host it is nothing.
    const office = await send(signInPost(`${OFFICE}/signin-oidc`, token, tripCookie, start.state));
    expect(decisionOf(office).reason).toBe('sign-in-unverified');
  });

  it.each([
    [
      'signed with a key Entra ID does not publish',
      async (t: string, nonce: string) =>
        idToken(t, { nonce, aud: CLIENT_ID.endpoint }, await strangerKey()),
    ],
    [
      'issued by another tenant',
      (t: string, nonce: string) =>
        idToken(t, {
          nonce,
          aud: CLIENT_ID.endpoint,
          iss: `https://login.microsoftonline.com/${newTenant()}/v2.0`,
        }),
    ],
    [
      'with a v1.0 issuer but v2.0 version',
      (t: string, nonce: string) =>
        idToken(t, { nonce, aud: CLIENT_ID.endpoint, iss: `https://sts.windows.net/${t}/` }),
    ],
    [
      // Entra ID issues versions 1.0 and 2.0 only; the issuer rule of an unknown one is no rule.
      'of a version Entra ID does not issue',
      (t: string, nonce: string) => idToken(t, { nonce, aud: CLIENT_ID.endpoint, ver: '3.0' }),
    ],
    [
      'expired',
      (t: string, nonce: string) =>
        idToken(t, { nonce, aud: CLIENT_ID.endpoint, exp: Math.floor(Date.now() / 1000) - 3600 }),
    ],
    [
      'issued long ago (a replay)',
      (t: string, nonce: string) =>
        idToken(t, { nonce, aud: CLIENT_ID.endpoint, iat: Math.floor(Date.now() / 1000) - 3600 }),
    ],
    [
      'for another portal (its client id)',
      (t: string, nonce: string) => idToken(t, { nonce, aud: CLIENT_ID.office }),
    ],
    [
      'for the settings API (an admin token of the tenant)',
      (t: string, nonce: string) => idToken(t, { nonce, aud: 'api://portal-redirect' }),
    ],
    [
      'of a personal Microsoft account (the consumer tenant)',
      (_t: string, nonce: string) => idToken(CONSUMER_TENANT, { nonce, aud: CLIENT_ID.endpoint }),
    ],
    [
      'unsigned (alg none)',
      async (t: string, nonce: string) => {
        const enc = (v: unknown) =>
          btoa(JSON.stringify(v)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
        const now = Math.floor(Date.now() / 1000);
        return `${enc({ alg: 'none' })}.${enc({ tid: t, ver: '2.0', iss: `https://login.microsoftonline.com/${t}/v2.0`, aud: CLIENT_ID.endpoint, nonce, iat: now, exp: now + 3600 })}.`;
      },
    ],
  ])(
    'a token %s, even with the right nonce, sets nothing and decides nothing',
    async (_label, make) => {
      const tenant = newTenant();
      await seedToggle(tenant, 'endpoint', true);
      await seedToggle(CONSUMER_TENANT, 'endpoint', true);
      const start = await beginSignIn(`${MDE}/incidents`);
      const res = await completeSignIn(start, { token: await make(tenant, start.nonce) });
      expect(decisionOf(res)).toEqual({ decision: 'pass', reason: 'sign-in-unverified' });
      expect(res.headers.getSetCookie().filter((c) => c.includes('portal_redirect'))).toEqual([]);
      // Whatever the portal makes of it, the edge sends no one to the unified portal.
      expect(res.headers.get('location') ?? '').not.toContain('security.microsoft.com');
    },
  );

  it('accepts a v1.0 token whose issuer is sts.windows.net/{tid}/', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'endpoint', true);
    const start = await beginSignIn(`${MDE}/incidents`);
    const token = await idToken(tenant, {
      nonce: start.nonce,
      aud: CLIENT_ID.endpoint,
      ver: '1.0',
      iss: `https://sts.windows.net/${tenant}/`,
    });
    const res = await completeSignIn(start, { token });
    expect(decisionOf(res)).toEqual({ decision: 'redirect', reason: 'signed-in' });
  });

  it("on a tenant-specific host, the host's mapping outranks a remembered tenant", async () => {
    const [a, b] = [newTenant(), newTenant()];
    const host = `c${a.slice(0, 8)}.portal.cloudappsecurity.com`;
    await seedHost(host, a);
    await seedToggle(a, 'cloudapps', false);
    await seedToggle(b, 'cloudapps', true);
    const res = await navigate(`https://${host}/?hash=/alerts`, {
      cookies: `${EDGE_COOKIE.tid}=${await tenantCookie(host, b)}`,
    });
    expect(decisionOf(res)).toEqual({ decision: 'pass', reason: 'toggle-off' });
  });
});

describe('production refuses to guess', () => {
  it('without SIGNIN_AUDIENCES, a configuration problem is logged and no sign-in decides', async () => {
    const config = parseConfig({ ...testEnv, SIGNIN_AUDIENCES: undefined } as Env);
    expect(config.problems).toContainEqual(expect.stringContaining('SIGNIN_AUDIENCES is not set'));
    const env = { ...testEnv, SIGNIN_AUDIENCES: '' } as Env;
    const tenant = newTenant();
    await seedToggle(tenant, 'endpoint', true);
    const start = await beginSignIn(`${MDE}/incidents`);
    const token = await idToken(tenant, { nonce: start.nonce, aud: CLIENT_ID.endpoint });
    const res = await worker.fetch(
      signInPost(start.callback, token, start.jar.header(), start.state),
      env,
    );
    expect(decisionOf(res)).toEqual({ decision: 'pass', reason: 'sign-in-unverified' });
  });

  it('a product SIGNIN_AUDIENCES leaves out, or names badly, verifies nothing', () => {
    const config = parseConfig({
      ...testEnv,
      SIGNIN_AUDIENCES: JSON.stringify({ endpoint: 'a', office: 42 }),
      SIGNIN_JWKS: undefined,
      SIGNIN_JWKS_URL: 'http://keys.example',
    } as Env);
    expect(config.signIn.audiences.get('endpoint')).toEqual(['a']);
    expect(config.signIn.audiences.get('office')).toEqual([]);
    expect(config.signIn.audiences.get('identity')).toEqual([]);
    expect(config.problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('SIGNIN_AUDIENCES.office'),
        expect.stringContaining('no client id for identity'),
        expect.stringContaining('SIGNIN_JWKS_URL'),
      ]),
    );
  });

  it('an admin API token is never a sign-in, and a sign-in id_token is never an admin token', async () => {
    const tenant = newTenant();
    const admin = await adminToken(tenant, ['security-admin']);
    const start = await beginSignIn(`${MDE}/incidents`);
    const res = await completeSignIn(start, { token: admin });
    expect(decisionOf(res).reason).toBe('sign-in-unverified');
  });
});

describe("only the portal's own sign-in starts a trip", () => {
  it('a redirect to Entra ID the portal merely relays, or for another client, remembers nothing', async () => {
    const authorize = (clientId: string) =>
      `${(testEnv as { SIGNIN_AUTHORITIES?: string }).SIGNIN_AUTHORITIES}/organizations/oauth2/v2.0/authorize?${new URLSearchParams(
        {
          client_id: clientId,
          redirect_uri: `${MDE}/signin-oidc`,
          response_type: 'id_token',
          response_mode: 'form_post',
          state: 's',
          nonce: 'the-attackers-nonce',
        },
      )}`;
    for (const client of [CLIENT_ID.endpoint, 'someone-elses-app']) {
      const res = await navigate(
        `${MDE}/__fault/relay?to=${encodeURIComponent(authorize(client))}`,
      );
      expect(res.status, client).toBe(302);
      expect(setCookies(res).has(EDGE_COOKIE.trip), client).toBe(false);
    }
  });

  it('an Office root whose session expired keeps its route, and its continuation stays on the portal until signed in', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'office', true);
    const jar = new CookieJar({
      sccauth: 'expired',
      [EDGE_COOKIE.tid]: await tenantCookie('protection.office.com', tenant),
    });
    const root = await navigate(`${OFFICE}/`, { cookies: jar.header(), site: 'same-origin' });
    jar.take(root);
    expect(decisionOf(root).reason).toBe('session-sticky');
    const page = await root.text();
    // The sign-in page sets no hop marker: its continuation is decided as any navigation.
    expect(setCookies(root).has(EDGE_COOKIE.hop)).toBe(false);
    expect(page).not.toContain('pr_hop');
    const start = await beginSignIn(
      `${OFFICE}/?hash=${encodeURIComponent('/threatexplorer')}`,
      jar,
      {
        site: 'same-origin',
      },
    );
    expect(decisionOf(start.response).reason).toBe('session-sticky');
    const res = await completeSignIn(start, { tenant });
    expect(res.headers.get('location')).toBe(`${U}/threatexplorer?tid=${tenant}`);
  });
});

describe('plain http on a deployed host', () => {
  it('trusts and mints none of the edge cookies unless EDGE_COOKIES_OVER_HTTP says it is a local run', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'endpoint', true);
    await seedToggle(tenant, 'cloudapps', true);
    const env = { ...testEnv, EDGE_COOKIES_OVER_HTTP: 'off' } as Env;
    const signer = edgeSigner();
    const http = `portal_redirect_tid=${await signer.sign('portal_redirect_tid', 'securitycenter.windows.com', [tenant], Date.now())}`;
    const known = await worker.fetch(
      navigation('http://securitycenter.windows.com/incidents', { cookies: http }),
      env,
    );
    expect(decisionOf(known).reason).toBe('unknown-tenant');
    const root = await worker.fetch(
      navigation(`http://portal.cloudappsecurity.com/?tid=${tenant}`),
      env,
    );
    expect(root.headers.getSetCookie()).toEqual([]);
    // The same cookie, on a local run over http, names the tenant.
    const local = await send(
      navigation('http://securitycenter.windows.com/incidents', { cookies: http }),
    );
    expect(local.headers.get('location')).toBe(`${U}/incidents?tid=${tenant}`);
  });
});
