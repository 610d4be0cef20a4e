import { describe, expect, it } from 'vitest';
import type { Env } from '../src/config';
import { parseConfig } from '../src/config';
import worker from '../src/index';
import { strangerKey } from './api-helpers';
import {
  decisionOf,
  idToken,
  navigate,
  newTenant,
  seedHost,
  seedToggle,
  send,
  setCookies,
  signInPost,
  testEnv,
} from './helpers';

const MDE = 'https://securitycenter.windows.com';
const OFFICE = 'https://protection.office.com';
const U = 'https://security.microsoft.com';

describe('4. a link cannot pin a browser to another tenant', () => {
  it('?tid= decides its own request only: the next page without it does not follow that tenant', async () => {
    const b = newTenant();
    await seedToggle(b, 'endpoint', true);
    const first = await navigate(`${MDE}/?tid=${b}`);
    expect(decisionOf(first).decision).toBe('redirect');
    expect(setCookies(first).has('portal_redirect_tid')).toBe(false);
    const later = await navigate(`${MDE}/alerts`);
    expect(decisionOf(later)).toEqual({ decision: 'pass', reason: 'unknown-tenant' });
  });

  it('a verified sign-in sets the tenant cookie, which later navigations follow', async () => {
    const a = newTenant();
    await seedToggle(a, 'endpoint', false);
    const res = await send(signInPost(`${MDE}/signin-oidc`, await idToken(a)));
    expect(decisionOf(res)).toEqual({ decision: 'pass', reason: 'toggle-off' });
    const cookie = setCookies(res).get('portal_redirect_tid') ?? '';
    expect(cookie).toContain(`portal_redirect_tid=${a}`);
    // The pass-through gained a cookie: no shared cache may keep it, whatever the origin said.
    expect(res.headers.get('cache-control')).toContain('private');
  });

  it.each([
    [
      'signed with a key Entra ID does not publish',
      async (t: string) => idToken(t, {}, await strangerKey()),
    ],
    [
      'issued by another tenant',
      (t: string) => idToken(t, { iss: `https://login.microsoftonline.com/${newTenant()}/v2.0` }),
    ],
    [
      'with a v1.0 issuer but v2.0 version',
      (t: string) => idToken(t, { iss: `https://sts.windows.net/${t}/` }),
    ],
    ['expired', (t: string) => idToken(t, { exp: Math.floor(Date.now() / 1000) - 3600 })],
    [
      'issued long ago (a replay)',
      (t: string) => idToken(t, { iat: Math.floor(Date.now() / 1000) - 3600 }),
    ],
    ['without iat', (t: string) => idToken(t, { iat: undefined })],
    [
      'unsigned (alg none)',
      async (t: string) => {
        const enc = (v: unknown) =>
          btoa(JSON.stringify(v)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
        const now = Math.floor(Date.now() / 1000);
        return `${enc({ alg: 'none' })}.${enc({ tid: t, ver: '2.0', iss: `https://login.microsoftonline.com/${t}/v2.0`, iat: now, exp: now + 3600 })}.`;
      },
    ],
  ])('a token %s gets no cookie and decides nothing', async (_label, make) => {
    const b = newTenant();
    await seedToggle(b, 'endpoint', true);
    const res = await send(signInPost(`${MDE}/signin-oidc`, await make(b)));
    expect(decisionOf(res)).toEqual({ decision: 'pass', reason: 'sign-in-unverified' });
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(res.headers.get('location')).toBeNull();
  });

  it('accepts a v1.0 token whose issuer is sts.windows.net/{tid}/', async () => {
    const a = newTenant();
    await seedToggle(a, 'endpoint', true);
    const token = await idToken(a, { ver: '1.0', iss: `https://sts.windows.net/${a}/` });
    const res = await send(signInPost(`${MDE}/signin-oidc`, token));
    expect(res.status).toBe(303);
    expect(decisionOf(res).reason).toBe('signed-in');
  });

  it('checks the audience per product where SIGNIN_AUDIENCES names the client id', async () => {
    const env = { ...testEnv, SIGNIN_AUDIENCES: '{"office":["portal-client-a"]}' } as Env;
    const a = newTenant();
    const own = await idToken(a, { aud: 'portal-client-a' });
    const other = await idToken(a, { aud: 'someone-elses-app' });
    const ok = await worker.fetch(signInPost(`${OFFICE}/signin-oidc`, own), env);
    expect(decisionOf(ok)).toEqual({ decision: 'redirect', reason: 'signed-in' });
    const refused = await worker.fetch(signInPost(`${OFFICE}/signin-oidc`, other), env);
    expect(decisionOf(refused)).toEqual({ decision: 'pass', reason: 'sign-in-unverified' });
    expect(refused.headers.get('set-cookie')).toBeNull();
    // Endpoint has no client id configured: any audience.
    await seedToggle(a, 'endpoint', true);
    const endpoint = await worker.fetch(signInPost(`${MDE}/signin-oidc`, other), env);
    expect(decisionOf(endpoint).reason).toBe('signed-in');
  });

  it('reports malformed sign-in configuration once, and then verifies nothing', async () => {
    const config = parseConfig({
      ...testEnv,
      SIGNIN_AUDIENCES: '{"office": 42}',
      SIGNIN_JWKS: undefined,
      SIGNIN_JWKS_URL: 'http://keys.example',
    } as Env);
    expect(config.problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('SIGNIN_AUDIENCES.office'),
        expect.stringContaining('SIGNIN_JWKS_URL'),
      ]),
    );
    const env = { ...testEnv, SIGNIN_AUDIENCES: 'not json' } as Env;
    const res = await worker.fetch(
      signInPost(`${OFFICE}/signin-oidc`, await idToken(newTenant())),
      env,
    );
    expect(decisionOf(res).reason).toBe('sign-in-unverified');
  });

  it("on a tenant-specific host, the host's mapping outranks a remembered tenant", async () => {
    const [a, b] = [newTenant(), newTenant()];
    const host = `c${a.slice(0, 8)}.portal.cloudappsecurity.com`;
    await seedHost(host, a);
    await seedToggle(a, 'cloudapps', false);
    await seedToggle(b, 'cloudapps', true);
    const res = await navigate(`https://${host}/?hash=/alerts`, {
      cookies: `portal_redirect_tid=${b}`,
    });
    expect(decisionOf(res)).toEqual({ decision: 'pass', reason: 'toggle-off' });
  });

  it('a passed page with the banner is never publicly cacheable', async () => {
    const a = newTenant();
    await seedToggle(a, 'endpoint', false);
    const res = await navigate(`${MDE}/alerts?tid=${a}`, {
      headers: { 'X-Demo-Cache-Control': 'public, max-age=600' },
    });
    expect(decisionOf(res).reason).toBe('toggle-off');
    expect(await res.text()).toContain('portal-redirect-banner');
    expect(res.headers.get('cache-control')).toContain('private');
    expect(res.headers.get('cache-control')).not.toContain('public');
  });

  it('a passed page without a cookie or banner keeps the origin caching', async () => {
    const res = await navigate(`${MDE}/alerts`, {
      cookies: 'sccauth=s',
      headers: { 'X-Demo-Cache-Control': 'public, max-age=600' },
    });
    expect(decisionOf(res).reason).toBe('session-sticky');
    expect(res.headers.get('cache-control')).toBe('public, max-age=600');
  });
});

describe('2. the deep link survives the sign-in', () => {
  const ALERT = '/alert/da637472900382838869_1364969609';

  it('remembers the path of a navigation whose tenant is unknown, host-only, for about ten minutes', async () => {
    const res = await navigate(`${MDE}${ALERT}?utm_source=mail`, {
      headers: { 'X-Demo-Cache-Control': 'public, max-age=600' },
    });
    expect(decisionOf(res)).toEqual({ decision: 'pass', reason: 'unknown-tenant' });
    const cookie = setCookies(res).get('portal_redirect_return') ?? '';
    expect(cookie).toContain(
      `portal_redirect_return=${encodeURIComponent(`${ALERT}?utm_source=mail`)}`,
    );
    for (const attr of ['Max-Age=600', 'Path=/', 'HttpOnly', 'Secure', 'SameSite=None'])
      expect(cookie).toContain(attr);
    expect(cookie.toLowerCase()).not.toContain('domain=');
    expect(res.headers.get('cache-control')).toBe('private, no-store');
  });

  it('sends the sign-in to the mapped deep link, then forgets it', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'endpoint', true);
    const first = await navigate(`${MDE}${ALERT}`);
    const remembered = (setCookies(first).get('portal_redirect_return') ?? '').split(';')[0];
    const res = await send(
      signInPost(`${MDE}/signin-oidc`, await idToken(tenant), `${remembered}; sccauth=old`),
    );
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`${U}${ALERT}?tid=${tenant}`);
    const cleared = setCookies(res).get('portal_redirect_return') ?? '';
    expect(cleared).toContain('Max-Age=0');
    expect(setCookies(res).get('portal_redirect_tid')).toContain(tenant);
  });

  it('maps a remembered hash route and query as a redirect would', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'cloudapps', true);
    const first = await navigate('https://portal.cloudappsecurity.com/?hash=%2Ffiles%3Fstatus%3D1');
    const remembered = (setCookies(first).get('portal_redirect_return') ?? '').split(';')[0];
    const res = await send(
      signInPost(
        'https://portal.cloudappsecurity.com/signin-oidc',
        await idToken(tenant),
        remembered,
      ),
    );
    expect(res.headers.get('location')).toBe(`${U}/cloudapps/files?status=1&tid=${tenant}`);
  });

  it('without a remembered path, or with one that is not a path on this host, goes home', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'endpoint', true);
    for (const cookie of [
      '',
      'portal_redirect_return=https%3A%2F%2Fevil.example%2F',
      'portal_redirect_return=%2F%2Fevil.example%2Falert%2F1',
      'portal_redirect_return=%2F%5Cevil.example',
      `portal_redirect_return=${encodeURIComponent(`/alert/${'a'.repeat(2000)}`)}`,
    ]) {
      const res = await send(signInPost(`${MDE}/signin-oidc`, await idToken(tenant), cookie));
      expect(res.headers.get('location'), cookie).toBe(`${U}/?tid=${tenant}`);
    }
  });

  it('a remembered Office compliance page lands on the home, never on a guessed page', async () => {
    const tenant = newTenant();
    const res = await send(
      signInPost(
        `${OFFICE}/signin-oidc`,
        await idToken(tenant),
        'portal_redirect_return=%2Finsiderriskmgmt',
      ),
    );
    expect(res.headers.get('location')).toBe(`${U}/?tid=${tenant}`);
  });

  it('does not remember what it cannot send back safely (too long, not a navigation)', async () => {
    const long = await navigate(`${MDE}/alert/${'a'.repeat(1100)}`);
    expect(decisionOf(long).reason).toBe('unknown-tenant');
    expect(setCookies(long).has('portal_redirect_return')).toBe(false);
    const xhr = await send(
      new Request(`${MDE}/alerts`, { headers: { 'Sec-Fetch-Mode': 'cors', Accept: '*/*' } }),
    );
    expect(setCookies(xhr).has('portal_redirect_return')).toBe(false);
  });

  it('an unverified sign-in neither uses nor clears the remembered path', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'endpoint', true);
    const res = await send(
      signInPost(
        `${MDE}/signin-oidc`,
        await idToken(tenant, {}, await strangerKey()),
        `portal_redirect_return=${encodeURIComponent(ALERT)}`,
      ),
    );
    expect(decisionOf(res).reason).toBe('sign-in-unverified');
    expect(res.headers.get('set-cookie')).toBeNull();
  });
});
