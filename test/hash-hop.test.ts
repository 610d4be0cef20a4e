import { describe, expect, it } from 'vitest';
import { decisionOf, navigate, newTenant, seedHost, seedToggle, setCookies } from './helpers';

const MCAS = 'https://portal.cloudappsecurity.com';
const U = 'https://security.microsoft.com';

/**
 * The requests a browser sends for a Cloud Apps link opened in a new tab while signed in to the
 * classic portal: the root (the route stays in the fragment) as a typed navigation, then the
 * hash page's `location.replace`, same-origin, with every cookie of the host.
 */
async function openInNewTab(tenant: string, route: string) {
  const first = await navigate(`${MCAS}/?tid=${tenant}`, { cookies: 'sessionid=s', site: 'none' });
  const hop = setCookies(first).get('portal_redirect_hop') ?? '';
  const value = hop.split(';')[0]?.split('=')[1] ?? '';
  // What the page's script builds: pathname + search + '&hash=' + route + '&pr_hop=' + marker.
  const continuation = `${MCAS}/?tid=${tenant}&hash=${encodeURIComponent(route)}&pr_hop=${value}`;
  return { first, hop, value, continuation };
}

describe('3. a new tab moves a Cloud Apps user, hash routes included', () => {
  it('the hash page marks its continuation, which is decided as the new tab was', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'cloudapps', true);
    const { first, hop, value, continuation } = await openInNewTab(tenant, '/alerts');
    expect(first.status).toBe(200);
    expect(decisionOf(first)).toEqual({ decision: 'redirect', reason: 'toggle-on' });
    for (const attr of ['HttpOnly', 'SameSite=Strict', 'Secure', 'Max-Age=60', 'Path=/'])
      expect(hop).toContain(attr);
    const page = await first.text();
    expect(page).toContain(`'&pr_hop=${value}'`);
    expect(first.headers.get('cache-control')).toBe('private, no-store');

    const res = await navigate(continuation, {
      cookies: `sessionid=s; portal_redirect_hop=${value}`,
      site: 'same-origin',
    });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(`${U}/alerts?tid=${tenant}`);
    // Used once: the marker cookie is cleared with the answer.
    expect(setCookies(res).get('portal_redirect_hop')).toContain('Max-Age=0');
    expect(setCookies(res).get('portal_redirect_hop')).toContain('Secure');
  });

  it('over plain http (a local run), the marker is set and cleared without Secure', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'cloudapps', true);
    const http = MCAS.replace('https:', 'http:');
    const first = await navigate(`${http}/?tid=${tenant}`, {
      cookies: 'sessionid=s',
      site: 'none',
    });
    const hop = setCookies(first).get('portal_redirect_hop') ?? '';
    expect(hop).toContain('Max-Age=60');
    expect(hop).not.toContain('Secure');
    const value = hop.split(';')[0]?.split('=')[1] ?? '';
    const res = await navigate(`${http}/?tid=${tenant}&hash=%2Falerts&pr_hop=${value}`, {
      cookies: `sessionid=s; portal_redirect_hop=${value}`,
      site: 'same-origin',
    });
    expect(res.status).toBe(302);
    expect(setCookies(res).get('portal_redirect_hop')).toContain('Max-Age=0');
    expect(setCookies(res).get('portal_redirect_hop')).not.toContain('Secure');
  });

  it('a request the page makes before its continuation (a favicon) leaves the marker alone', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'cloudapps', true);
    const { value, continuation } = await openInNewTab(tenant, '/alerts');
    const favicon = await navigate(`${MCAS}/favicon.ico`, {
      cookies: `sessionid=s; portal_redirect_hop=${value}`,
      site: 'same-origin',
      headers: { 'Sec-Fetch-Mode': 'no-cors', 'Sec-Fetch-Dest': 'image' },
    });
    expect(decisionOf(favicon).reason).toBe('not-navigation');
    expect(setCookies(favicon).has('portal_redirect_hop')).toBe(false);
    const res = await navigate(continuation, {
      cookies: `sessionid=s; portal_redirect_hop=${value}`,
      site: 'same-origin',
    });
    expect(res.headers.get('location')).toBe(`${U}/alerts?tid=${tenant}`);
  });

  it('the continuation cannot be replayed to skip stickiness later', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'cloudapps', true);
    const { value, continuation } = await openInNewTab(tenant, '/alerts');
    // The browser no longer has the cookie: the URL alone is an ordinary in-portal click.
    expect(
      decisionOf(await navigate(continuation, { cookies: 'sessionid=s', site: 'same-origin' })),
    ).toEqual({ decision: 'pass', reason: 'session-sticky' });
    // A marker cookie that is not this URL's, or one issued minutes ago, does nothing either.
    const other = `${Date.now()}.AAAAAAAAAAAAAAAAAAAAAA`;
    const stale = `${Date.now() - 5 * 60_000}.${value.split('.')[1]}`;
    for (const [cookie, url] of [
      [other, continuation],
      [stale, continuation.replace(value, stale)],
    ] as const) {
      const res = await navigate(url, {
        cookies: `sessionid=s; portal_redirect_hop=${cookie}`,
        site: 'same-origin',
      });
      expect(decisionOf(res), cookie).toEqual({ decision: 'pass', reason: 'session-sticky' });
      expect(setCookies(res).get('portal_redirect_hop')).toContain('Max-Age=0');
    }
  });

  it('on a tenant-specific host, the tenant comes from the host mapping', async () => {
    const tenant = newTenant();
    const host = `h${tenant.slice(0, 8)}.eu2.portal.cloudappsecurity.com`;
    await seedHost(host, tenant);
    await seedToggle(tenant, 'cloudapps', true);
    const first = await navigate(`https://${host}/`, { cookies: 'sessionid=s', site: 'none' });
    const value = (setCookies(first).get('portal_redirect_hop') ?? '').split(';')[0]?.split('=')[1];
    const res = await navigate(
      `https://${host}/?hash=${encodeURIComponent('/policy/?id=eq(5a4c,)')}&pr_hop=${value}`,
      { cookies: `sessionid=s; portal_redirect_hop=${value}`, site: 'same-origin' },
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
