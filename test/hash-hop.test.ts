import { describe, expect, it } from 'vitest';
import { mintedName } from '../src/core/minted';
import {
  CookieJar,
  decisionOf,
  EDGE_COOKIE,
  edgeSigner,
  legacySession,
  navigate,
  newTenant,
  seedHost,
  seedToggle,
  setCookies,
} from './helpers';

const MCAS = 'https://portal.cloudappsecurity.com';
const U = 'https://security.microsoft.com';

/** The marker id the hash page's script puts in its continuation. */
function hopIdOf(page: string): string {
  const id = /&pr_hop=([A-Za-z0-9_-]{22})'/.exec(page)?.[1];
  if (id === undefined) throw new Error('the hash page carries no marker');
  return id;
}

/**
 * The requests a browser sends for a Cloud Apps link opened in a new tab while signed in to the
 * classic portal: the root (the route stays in the fragment) as a typed navigation, then the
 * hash page's `location.replace`, same-origin, with every cookie of the host.
 */
async function openInNewTab(tenant: string, route: string, base = MCAS) {
  const jar = new CookieJar({ sessionid: 's' });
  const first = await navigate(`${base}/?tid=${tenant}`, { cookies: jar.header(), site: 'none' });
  jar.take(first);
  const id = hopIdOf(await first.clone().text());
  // What the page's script builds: pathname + search + '&hash=' + route + '&pr_hop=' + id.
  const continuation = `${base}/?tid=${tenant}&hash=${encodeURIComponent(route)}&pr_hop=${id}`;
  return { first, jar, id, continuation };
}

describe('3. a new tab moves a Cloud Apps user, hash routes included', () => {
  it('the hash page marks its continuation, which is decided as the new tab was', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'cloudapps', true);
    const { first, jar, continuation } = await openInNewTab(tenant, '/alerts');
    expect(first.status).toBe(200);
    expect(decisionOf(first)).toEqual({ decision: 'redirect', reason: 'toggle-on' });
    const hop = setCookies(first).get(EDGE_COOKIE.hop) ?? '';
    for (const attr of ['HttpOnly', 'SameSite=Strict', 'Secure', 'Max-Age=60', 'Path=/'])
      expect(hop).toContain(attr);
    expect(first.headers.get('cache-control')).toBe('private, no-store');

    const res = await navigate(continuation, { cookies: jar.header(), site: 'same-origin' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(`${U}/alerts?tid=${tenant}`);
    // Used once: the marker cookie is cleared with the answer.
    expect(setCookies(res).get(EDGE_COOKIE.hop)).toContain('Max-Age=0');
  });

  it('over plain http (a local run), the marker has no __Host- prefix and no Secure', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'cloudapps', true);
    const http = MCAS.replace('https:', 'http:');
    const { first, jar, continuation } = await openInNewTab(tenant, '/alerts', http);
    const hop = setCookies(first).get('portal_redirect_hop') ?? '';
    expect(hop).toContain('Max-Age=60');
    expect(hop).not.toContain('Secure');
    const res = await navigate(continuation, { cookies: jar.header(), site: 'same-origin' });
    expect(res.status).toBe(302);
    expect(setCookies(res).get('portal_redirect_hop')).toContain('Max-Age=0');
  });

  it('a request the page makes before its continuation (a favicon) leaves the marker alone', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'cloudapps', true);
    const { jar, continuation } = await openInNewTab(tenant, '/alerts');
    const favicon = await navigate(`${MCAS}/favicon.ico`, {
      cookies: jar.header(),
      site: 'same-origin',
      headers: { 'Sec-Fetch-Mode': 'no-cors', 'Sec-Fetch-Dest': 'image' },
    });
    expect(decisionOf(favicon).reason).toBe('not-navigation');
    expect(setCookies(favicon).has(EDGE_COOKIE.hop)).toBe(false);
    const res = await navigate(continuation, { cookies: jar.header(), site: 'same-origin' });
    expect(res.headers.get('location')).toBe(`${U}/alerts?tid=${tenant}`);
  });

  it('the continuation cannot be replayed, or its marker reused, to skip stickiness later', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'cloudapps', true);
    const { jar, id, continuation } = await openInNewTab(tenant, '/alerts');
    const marker = jar.get(EDGE_COOKIE.hop) as string;
    // The browser no longer has the cookie: the URL alone is an ordinary in-portal click.
    expect(
      decisionOf(await navigate(continuation, { cookies: 'sessionid=s', site: 'same-origin' })),
    ).toEqual({ decision: 'pass', reason: 'session-sticky' });
    const signer = edgeSigner();
    const name = mintedName('hop', true);
    const host = 'portal.cloudappsecurity.com';
    for (const [label, cookie, url] of [
      ['a marker of another continuation', marker, continuation.replace(id, 'B'.repeat(22))],
      [
        'a marker issued minutes ago',
        await signer.sign(name, host, [id], Date.now() - 5 * 60_000),
        continuation,
      ],
      [
        'a marker forged without the secret',
        `${Math.floor(Date.now() / 1000)}.${id}.${'A'.repeat(43)}`,
        continuation,
      ],
      [
        'a marker of another host',
        await signer.sign(name, `x.${host}`, [id], Date.now()),
        continuation,
      ],
      [
        'the right marker on a page that is not the root',
        marker,
        `${MCAS}/alerts?tid=${tenant}&hash=%2Falerts&pr_hop=${id}`,
      ],
    ] as const) {
      const res = await navigate(url, {
        cookies: `sessionid=s; ${EDGE_COOKIE.hop}=${cookie}`,
        site: 'same-origin',
      });
      expect(decisionOf(res), label).toEqual({ decision: 'pass', reason: 'session-sticky' });
      expect(setCookies(res).get(EDGE_COOKIE.hop), label).toContain('Max-Age=0');
    }
  });

  it('on a tenant-specific host, the tenant comes from the host mapping', async () => {
    const tenant = newTenant();
    const host = `h${tenant.slice(0, 8)}.eu2.portal.cloudappsecurity.com`;
    await seedHost(host, tenant);
    await seedToggle(tenant, 'cloudapps', true);
    const jar = new CookieJar({ sessionid: 's' });
    const first = await navigate(`https://${host}/`, { cookies: jar.header(), site: 'none' });
    jar.take(first);
    const id = hopIdOf(await first.text());
    const res = await navigate(
      `https://${host}/?hash=${encodeURIComponent('/policy/?id=eq(5a4c,)')}&pr_hop=${id}`,
      { cookies: jar.header(), site: 'same-origin' },
    );
    expect(res.headers.get('location')).toBe(`${U}/cloudapps/policies/management?tid=${tenant}`);
  });

  it('a click inside the classic portal (no marker) stays sticky', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'cloudapps', true);
    const res = await navigate(`${MCAS}/?tid=${tenant}&hash=%2Falerts`, {
      cookies: 'sessionid=s',
      site: 'same-origin',
    });
    expect(decisionOf(res)).toEqual({ decision: 'pass', reason: 'session-sticky' });
  });
});

describe('1. a marker planted from a sibling host ejects no one', () => {
  /**
   * A page on a sibling host (x.windows.com, x.office.com, ...) can set a cookie for the whole
   * domain under the edge's bare name, then navigate a signed-in user to a link carrying the same
   * value: the user stays, the value never reaches the unified Location, and the edge clears the
   * name it can.
   */
  it.each([
    ['Endpoint', 'https://securitycenter.windows.com', '/alerts', 'endpoint', 'none'],
    ['Office', 'https://protection.office.com', '/homepage', 'office', 'none'],
    ['Identity', 'https://portal.atp.azure.com', '/timeline', 'identity', 'none'],
    ['Cloud Apps (same-origin)', MCAS, '/', 'cloudapps', 'same-origin'],
  ] as const)('%s', async (_label, base, path, product, site) => {
    const tenant = newTenant();
    await seedToggle(tenant, product, true);
    const session = await legacySession(new URL(base).host);
    const planted = `${Date.now()}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`;
    const attempts = [
      `portal_redirect_hop=${planted}`,
      `${EDGE_COOKIE.hop}=${planted}`,
      `${EDGE_COOKIE.hop}=${Math.floor(Date.now() / 1000)}.${'A'.repeat(22)}.${'A'.repeat(43)}`,
    ];
    for (const cookie of attempts) {
      const value = cookie
        .slice(cookie.indexOf('=') + 1)
        .split('.')
        .slice(0, 2)
        .join('.');
      const res = await navigate(
        `${base}${path}?tid=${tenant}&hash=%2Falerts&pr_hop=${encodeURIComponent(value)}`,
        { cookies: `${session}; ${cookie}`, site },
      );
      expect(decisionOf(res), cookie).toEqual({ decision: 'pass', reason: 'session-sticky' });
      expect(res.headers.get('location') ?? '', cookie).not.toContain('pr_hop');
      const name = cookie.slice(0, cookie.indexOf('='));
      expect(setCookies(res).get(name), cookie).toContain('Max-Age=0');
    }
  });

  it('the marker parameter is never copied into a unified Location', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'endpoint', true);
    const res = await navigate(
      `https://securitycenter.windows.com/alerts?tid=${tenant}&pr_hop=AAAAAAAAAAAAAAAAAAAAAA&x=1`,
    );
    expect(res.headers.get('location')).toBe(`${U}/alerts?x=1&tid=${tenant}`);
  });
});

describe('a hash route that stays goes back to the portal as a route its app reads', () => {
  const OFFICE = 'https://protection.office.com';

  it('the continuation answers the root with the route in its fragment, and that root passes once', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'office', true);
    const jar = new CookieJar();
    // Office's root moves, so the edge answers its hash page; the route (mail flow) stays.
    const first = await navigate(`${OFFICE}/?tid=${tenant}`, { cookies: jar.header() });
    expect(decisionOf(first)).toEqual({ decision: 'redirect', reason: 'toggle-on' });
    jar.take(first);
    const id = hopIdOf(await first.text());
    const continuation = `${OFFICE}/?tid=${tenant}&hash=${encodeURIComponent('/mailflow/connectors')}&pr_hop=${id}`;
    const back = await navigate(continuation, { cookies: jar.header(), site: 'same-origin' });
    expect(decisionOf(back)).toEqual({ decision: 'pass', reason: 'out-of-scope' });
    expect(back.status).toBe(302);
    // A path on this host: the page's own query, the route in the fragment, no marker in it.
    expect(back.headers.get('location')).toBe(`/?tid=${tenant}#/mailflow/connectors`);
    expect(back.headers.get('cache-control')).toBe('private, no-store');
    const marker = setCookies(back).get(EDGE_COOKIE.hop) ?? '';
    expect(marker).toContain('Max-Age=60');
    expect(marker).toContain('SameSite=Strict');
    jar.take(back);

    // The browser follows it (the fragment stays in the browser): the root passes to the portal.
    const root = await navigate(`${OFFICE}/?tid=${tenant}`, {
      cookies: jar.header(),
      site: 'same-origin',
    });
    expect(decisionOf(root)).toEqual({ decision: 'pass', reason: 'out-of-scope' });
    expect(root.headers.get('x-demo-origin')).toBe('1');
    expect(setCookies(root).get(EDGE_COOKIE.hop)).toContain('Max-Age=0');
    jar.take(root);
    // Used once: the next visit to the root is the hash page again.
    const again = await navigate(`${OFFICE}/?tid=${tenant}`, { cookies: jar.header() });
    expect(decisionOf(again)).toEqual({ decision: 'redirect', reason: 'toggle-on' });
    expect(again.status).toBe(200);
  });

  it('a stay marker the edge did not mint for this host passes nothing', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'office', true);
    const signer = edgeSigner();
    const name = mintedName('hop', true);
    const forHostOnly = (host: string) =>
      signer.sign(name, host, ['A'.repeat(22), 'stay'], Date.now());
    for (const value of [
      await forHostOnly('securitycenter.windows.com'),
      `${Math.floor(Date.now() / 1000)}.${'A'.repeat(22)}.stay.forged`,
    ]) {
      const root = await navigate(`${OFFICE}/?tid=${tenant}`, {
        cookies: `${EDGE_COOKIE.hop}=${value}`,
        site: 'same-origin',
      });
      expect(decisionOf(root)).toEqual({ decision: 'redirect', reason: 'toggle-on' });
      expect(root.status).toBe(200);
    }
  });
});
