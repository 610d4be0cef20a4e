/**
 * The edge acts only on the cookies it minted: signed, bound to their name, host and time
 * (src/edge/signed-cookies.ts). A cookie made by hand, planted from a sibling host, copied from
 * another host or older than its lifetime is ignored, and cleared by the next navigation.
 */
import { describe, expect, it } from 'vitest';
import type { Env } from '../src/config';
import { parseConfig } from '../src/config';
import { mintedName } from '../src/core/minted';
import { CookieSigner } from '../src/edge/signed-cookies';
import worker from '../src/index';
import {
  decisionOf,
  EDGE_COOKIE,
  edgeSigner,
  navigate,
  navigation,
  newTenant,
  seedToggle,
  setCookies,
  tenantCookie,
  testEnv,
} from './helpers';

const HOST = 'securitycenter.windows.com';
const MDE = `https://${HOST}`;
const U = 'https://security.microsoft.com';
const DAY_MS = 86_400_000;

describe('the tenant cookie counts only as the edge minted it', () => {
  it('a cookie the edge signed for this host names the tenant', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'endpoint', true);
    const res = await navigate(`${MDE}/incidents`, {
      cookies: `${EDGE_COOKIE.tid}=${await tenantCookie(HOST, tenant)}`,
    });
    expect(res.headers.get('location')).toBe(`${U}/incidents?tid=${tenant}`);
    expect(res.headers.getSetCookie()).toEqual([]);
  });

  it.each([
    ['made by hand', async (t: string) => `${EDGE_COOKIE.tid}=${t}`],
    [
      'planted for the whole domain under the bare name',
      async (t: string) => `portal_redirect_tid=${t}`,
    ],
    [
      'signed, with the tenant changed',
      async (t: string) =>
        `${EDGE_COOKIE.tid}=${(await tenantCookie(HOST, newTenant())).replace(/\.[0-9a-f-]{36}\./, `.${t}.`)}`,
    ],
    [
      'signed for another legacy host',
      async (t: string) => `${EDGE_COOKIE.tid}=${await tenantCookie('protection.office.com', t)}`,
    ],
    [
      'signed 31 days ago',
      async (t: string) =>
        `${EDGE_COOKIE.tid}=${await tenantCookie(HOST, t, Date.now() - 31 * DAY_MS)}`,
    ],
    [
      'signed with another secret',
      async (t: string) =>
        `${EDGE_COOKIE.tid}=${await new CookieSigner(['x'.repeat(32)]).sign(mintedName('tid', true), HOST, [t], Date.now())}`,
    ],
    [
      'signed under the http name, sent over https',
      async (t: string) =>
        `portal_redirect_tid=${await edgeSigner().sign(mintedName('tid', false), HOST, [t], Date.now())}`,
    ],
  ])('a cookie %s names no tenant, and is cleared', async (_label, cookie) => {
    const tenant = newTenant();
    await seedToggle(tenant, 'endpoint', true);
    const sent = await cookie(tenant);
    const res = await navigate(`${MDE}/incidents`, { cookies: sent });
    expect(decisionOf(res)).toEqual({ decision: 'pass', reason: 'unknown-tenant' });
    const name = sent.slice(0, sent.indexOf('='));
    expect(setCookies(res).get(name)).toContain('Max-Age=0');
  });

  it('while the secret rotates, a cookie signed with the previous one still counts', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'endpoint', true);
    const env = {
      ...testEnv,
      COOKIE_SIGNING_SECRET: 'n'.repeat(40),
      COOKIE_SIGNING_SECRET_PREVIOUS: (testEnv as { COOKIE_SIGNING_SECRET?: string })
        .COOKIE_SIGNING_SECRET,
    } as Env;
    const res = await worker.fetch(
      navigation(`${MDE}/incidents`, {
        cookies: `${EDGE_COOKIE.tid}=${await tenantCookie(HOST, tenant)}`,
      }),
      env,
    );
    expect(res.headers.get('location')).toBe(`${U}/incidents?tid=${tenant}`);
  });

  it('without a signing secret nothing is trusted, and the problem is said once', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'endpoint', true);
    for (const secret of [undefined, 'too-short']) {
      const config = parseConfig({ ...testEnv, COOKIE_SIGNING_SECRET: secret } as Env);
      expect(config.cookieSecrets).toEqual([]);
      expect(config.problems).toContainEqual(expect.stringContaining('COOKIE_SIGNING_SECRET'));
    }
    const env = { ...testEnv, COOKIE_SIGNING_SECRET: '' } as Env;
    const res = await worker.fetch(
      navigation(`${MDE}/incidents`, {
        cookies: `${EDGE_COOKIE.tid}=${await tenantCookie(HOST, tenant)}`,
      }),
      env,
    );
    expect(decisionOf(res)).toEqual({ decision: 'pass', reason: 'unknown-tenant' });
    expect(setCookies(res).get(EDGE_COOKIE.tid)).toContain('Max-Age=0');
  });

  it('a subresource leaves the cookies alone; only a navigation clears them', async () => {
    const res = await worker.fetch(
      new Request(`${MDE}/app.js`, {
        headers: {
          'Sec-Fetch-Mode': 'no-cors',
          'Sec-Fetch-Dest': 'script',
          Cookie: `${EDGE_COOKIE.tid}=x`,
        },
      }),
      testEnv,
    );
    expect(decisionOf(res).reason).toBe('not-navigation');
    expect(res.headers.getSetCookie()).toEqual([]);
  });
});
