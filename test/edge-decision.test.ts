import { describe, expect, it } from 'vitest';
import {
  beginSignIn,
  CLIENT_ID,
  CookieJar,
  completeSignIn,
  decisionOf,
  EDGE_COOKIE,
  idToken,
  locationOf,
  navigate,
  newTenant,
  seedHost,
  seedToggle,
  send,
  setCookies,
  tenantCookie,
} from './helpers';

const MDE = 'https://securitycenter.windows.com';
const OFFICE = 'https://protection.office.com';
const MCAS = 'https://portal.cloudappsecurity.com';

describe('1. unknown hosts', () => {
  it('passes a host that is not in the catalogue to its origin', async () => {
    const res = await navigate(`https://example.com/alerts?tid=${newTenant()}`);
    expect(decisionOf(res)).toEqual({ decision: 'pass', reason: 'unknown-host' });
    expect(res.headers.get('x-demo-origin')).toBe('1');
  });

  it('treats look-alike hosts as unknown (wildcards match whole labels only)', async () => {
    for (const host of [
      'evil-securitycenter.windows.com',
      'a.b.atp.azure.com',
      'x.y.z.portal.cloudappsecurity.com',
      'protection.office.com.evil.com',
    ]) {
      const res = await navigate(`https://${host}/`);
      expect(decisionOf(res).reason, host).toBe('unknown-host');
    }
  });

  it('matches hosts without regard to case, trailing dot or port', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'endpoint', true);
    for (const host of [
      'SecurityCenter.Windows.COM',
      'securitycenter.windows.com.',
      'securitycenter.windows.com:8443',
    ]) {
      const res = await navigate(`https://${host}/alerts?tid=${tenant}`);
      expect(decisionOf(res), host).toEqual({ decision: 'redirect', reason: 'toggle-on' });
    }
  });
});

describe('2. signing back in', () => {
  it('answers 303 to the unified portal when redirection is on, even with an old session cookie', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'endpoint', true);
    const start = await beginSignIn(`${MDE}/`, new CookieJar({ sccauth: 'old-session' }));
    const token = await idToken(tenant.toUpperCase(), {
      nonce: start.nonce,
      aud: CLIENT_ID.endpoint,
      iss: `https://login.microsoftonline.com/${tenant.toUpperCase()}/v2.0`,
    });
    const res = await completeSignIn(start, { token });
    expect(res.status).toBe(303);
    expect(decisionOf(res)).toEqual({ decision: 'redirect', reason: 'signed-in' });
    expect(res.headers.get('location')).toBe(`https://security.microsoft.com/?tid=${tenant}`);
    const cookie = setCookies(res).get(EDGE_COOKIE.tid) ?? '';
    for (const attr of ['HttpOnly', 'Secure', 'SameSite=Lax', 'Max-Age=2592000', 'Path=/'])
      expect(cookie).toContain(attr);
    expect(cookie.toLowerCase()).not.toContain('domain=');
  });

  it('passes the sign-in through byte for byte when redirection is off', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'endpoint', false);
    const start = await beginSignIn(`${MDE}/incidents`);
    const token = await idToken(tenant, {
      name: 'Zoë ✓',
      nonce: start.nonce,
      aud: CLIENT_ID.endpoint,
    });
    const body = `id_token=${token}&state=${encodeURIComponent(start.state)}`;
    const res = await send(
      new Request(`${MDE}/signin-oidc?x=1`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          'Content-Length': String(new TextEncoder().encode(body).length),
          'X-Echo': 'json',
          Cookie: start.jar.header(),
        },
        body,
      }),
    );
    expect(decisionOf(res)).toEqual({ decision: 'pass', reason: 'toggle-off' });
    const echo = (await res.json()) as {
      method: string;
      path: string;
      bodySha256: string;
      bodyLength: number;
    };
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(body));
    expect(echo.method).toBe('POST');
    expect(echo.path).toBe('/signin-oidc?x=1');
    expect(echo.bodyLength).toBe(new TextEncoder().encode(body).length);
    expect(echo.bodySha256).toBe(
      [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join(''),
    );
  });

  it('uses the default for a tenant that never chose (office is on by default)', async () => {
    const tenant = newTenant();
    const start = await beginSignIn(`${OFFICE}/homepage`, new CookieJar({ sccauth: 'expired' }));
    const res = await completeSignIn(start, { tenant });
    expect(res.status).toBe(303);
  });

  it('passes a sign-in whose token has no usable tid', async () => {
    const res = await send(
      new Request(`${OFFICE}/signin-oidc`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: `id_token=${await idToken('not-a-guid', { aud: CLIENT_ID.office })}&state=x`,
      }),
    );
    expect(decisionOf(res)).toEqual({ decision: 'pass', reason: 'sign-in-unverified' });
    expect(res.headers.get('set-cookie')).toBeNull();
  });

  it('treats a callback POST without an id_token as an ordinary non-navigation', async () => {
    const res = await send(
      new Request(`${OFFICE}/signin-oidc`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: 'error=access_denied',
      }),
    );
    expect(decisionOf(res)).toEqual({ decision: 'pass', reason: 'not-navigation' });
  });
});

describe('3. only navigations move', () => {
  it('passes XHR/fetch, assets and API calls of the legacy app', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'endpoint', true);
    const cases: Record<string, string>[] = [
      { 'Sec-Fetch-Mode': 'cors', 'Sec-Fetch-Dest': 'empty', Accept: 'application/json' },
      { 'Sec-Fetch-Mode': 'no-cors', 'Sec-Fetch-Dest': 'script', Accept: '*/*' },
      { Accept: 'application/json' },
      {},
    ];
    for (const headers of cases) {
      const res = await send(new Request(`${MDE}/alerts?tid=${tenant}`, { headers }));
      expect(decisionOf(res), JSON.stringify(headers)).toEqual({
        decision: 'pass',
        reason: 'not-navigation',
      });
    }
  });

  it('treats Accept: text/html as a navigation when no Fetch Metadata is sent', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'endpoint', true);
    const res = await send(
      new Request(`${MDE}/alerts?tid=${tenant}`, {
        headers: { Accept: 'text/html' },
        redirect: 'manual',
      }),
    );
    expect(decisionOf(res)).toEqual({ decision: 'redirect', reason: 'toggle-on' });
  });

  it('never redirects a form POST', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'endpoint', true);
    const res = await navigate(`${MDE}/alerts?tid=${tenant}`, { method: 'POST' });
    expect(decisionOf(res).reason).toBe('not-navigation');
  });

  it('answers HEAD like GET, without a body', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'endpoint', true);
    const res = await navigate(`${MDE}/alerts?tid=${tenant}`, { method: 'HEAD' });
    expect(res.status).toBe(302);
    expect(await res.text()).toBe('');
  });
});

describe('4. out of scope', () => {
  it('leaves Office compliance pages and mail flow alone, in path and ?hash= form', async () => {
    const tenant = newTenant();
    for (const path of [
      '/datalossprevention',
      '/ediscovery/case/1',
      '/mailflow',
      '/?hash=/recordsmanagement',
      '/?hash=%2FSupervision%3Fx%3D1',
    ]) {
      const res = await navigate(`${OFFICE}${path}${path.includes('?') ? '&' : '?'}tid=${tenant}`);
      expect(decisionOf(res), path).toEqual({ decision: 'pass', reason: 'out-of-scope' });
    }
  });

  it('leaves the Cloud Apps API alone', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'cloudapps', true);
    const res = await navigate(`${MCAS}/api/v1/alerts/?tid=${tenant}`);
    expect(decisionOf(res)).toEqual({ decision: 'pass', reason: 'out-of-scope' });
  });
});

describe('5. sessions are sticky', () => {
  it('never ejects a signed-in user, whatever the toggle', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'endpoint', true);
    for (const cookies of [
      'sccauth=abc',
      'a=1;sccauth=xyz ;  b=2',
      '  sccauthC1=part1;chunks=2',
      'x="q;r"; sccauth=1',
    ]) {
      const res = await navigate(`${MDE}/alerts?tid=${tenant}`, { cookies });
      expect(decisionOf(res), cookies).toEqual({ decision: 'pass', reason: 'session-sticky' });
    }
  });

  it('does not count an empty or look-alike cookie as a session', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'endpoint', true);
    for (const cookies of ['sccauth=', 'xsccauth=1', 'sccauth2=1']) {
      const res = await navigate(`${MDE}/alerts?tid=${tenant}`, { cookies });
      expect(decisionOf(res).decision, cookies).toBe('redirect');
    }
  });

  it('Cloud Apps: a click inside the portal is sticky, a new tab is not', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'cloudapps', true);
    const url = `${MCAS}/?hash=/dashboard&tid=${tenant}`;
    expect(
      decisionOf(await navigate(url, { cookies: 'sessionid=s', site: 'same-origin' })).reason,
    ).toBe('session-sticky');
    expect(decisionOf(await navigate(url, { cookies: 'sessionid=s', site: 'none' })).decision).toBe(
      'redirect',
    );
    expect(
      decisionOf(await navigate(url, { cookies: 'sessionid=s', site: 'cross-site' })).decision,
    ).toBe('redirect');
  });
});

describe('6. which tenant', () => {
  it('takes tid from the query (any case) and sends it on, for that request only', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'endpoint', true);
    const res = await navigate(`${MDE}/alerts?tid=${tenant.toUpperCase()}`);
    expect(res.headers.get('location')).toBe(`https://security.microsoft.com/alerts?tid=${tenant}`);
    expect(res.headers.get('set-cookie')).toBeNull();
  });

  it('ignores a tid that is not a GUID', async () => {
    for (const tid of [
      'contoso',
      '%ZZ',
      '00000000-0000-0000-0000-00000000000',
      `${newTenant()}x`,
    ]) {
      const res = await navigate(`${MDE}/alerts?tid=${tid}`);
      expect(decisionOf(res), tid).toEqual({ decision: 'pass', reason: 'unknown-tenant' });
    }
  });

  it('uses the tenant cookie the edge set earlier, without setting it again', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'endpoint', true);
    const res = await navigate(`${MDE}/machines`, {
      cookies: `${EDGE_COOKIE.tid}=${await tenantCookie('securitycenter.windows.com', tenant)}`,
    });
    expect(res.headers.get('location')).toBe(
      `https://security.microsoft.com/machines?tid=${tenant}`,
    );
    expect(res.headers.get('set-cookie')).toBeNull();
  });

  it('prefers the query over the cookie', async () => {
    const [a, b] = [newTenant(), newTenant()];
    await seedToggle(a, 'endpoint', false);
    await seedToggle(b, 'endpoint', true);
    const res = await navigate(`${MDE}/alerts?tid=${b}`, {
      cookies: `${EDGE_COOKIE.tid}=${await tenantCookie('securitycenter.windows.com', a)}`,
    });
    expect(decisionOf(res).reason).toBe('toggle-on');
    expect(res.headers.get('set-cookie')).toBeNull();
  });

  it('maps tenant-specific hosts through KV', async () => {
    const tenant = newTenant();
    const workspace = `ws${tenant.slice(0, 8)}.atp.azure.com`;
    await seedHost(workspace, tenant);
    await seedToggle(tenant, 'identity', true);
    const res = await navigate(`https://${workspace}/timeline`);
    expect(res.headers.get('location')).toBe(
      `https://security.microsoft.com/incidents?tid=${tenant}`,
    );
    expect(res.headers.get('set-cookie')).toBeNull();
    const regional = `t${tenant.slice(0, 8)}.eu2.portal.cloudappsecurity.com`;
    await seedHost(regional, tenant);
    await seedToggle(tenant, 'cloudapps', true);
    expect(decisionOf(await navigate(`https://${regional}/?hash=/dashboard`)).reason).toBe(
      'toggle-on',
    );
  });

  it('passes when no tenant can be found', async () => {
    expect(decisionOf(await navigate(`${MDE}/alerts`))).toEqual({
      decision: 'pass',
      reason: 'unknown-tenant',
    });
    expect(decisionOf(await navigate('https://unmapped.atp.azure.com/timeline'))).toEqual({
      decision: 'pass',
      reason: 'unknown-tenant',
    });
  });
});

describe('7. the toggle', () => {
  it('follows the tenant choice and the catalogue default, with the matching reason', async () => {
    const cases: [string, 'endpoint' | 'office', boolean | null, string, string][] = [
      [`${MDE}/alerts`, 'endpoint', true, 'redirect', 'toggle-on'],
      [`${MDE}/alerts`, 'endpoint', false, 'pass', 'toggle-off'],
      [`${MDE}/alerts`, 'endpoint', null, 'pass', 'default-off'],
      [`${OFFICE}/antispam`, 'office', null, 'redirect', 'default-on'],
      [`${OFFICE}/antispam`, 'office', false, 'pass', 'toggle-off'],
    ];
    for (const [url, product, state, decision, reason] of cases) {
      const tenant = newTenant();
      if (state !== null) await seedToggle(tenant, product, state);
      const res = await navigate(`${url}?tid=${tenant}`);
      expect(decisionOf(res), `${product} ${state}`).toEqual({ decision, reason });
    }
  });

  it('is per tenant: one tenant turning on moves nobody else', async () => {
    const [on, other] = [newTenant(), newTenant()];
    await seedToggle(on, 'endpoint', true);
    expect(decisionOf(await navigate(`${MDE}/alerts?tid=${on}`)).decision).toBe('redirect');
    expect(decisionOf(await navigate(`${MDE}/alerts?tid=${other}`)).decision).toBe('pass');
    expect(
      decisionOf(
        await navigate(`${MDE}/alerts`, {
          cookies: `${EDGE_COOKIE.tid}=${await tenantCookie('securitycenter.windows.com', other)}`,
        }),
      ).decision,
    ).toBe('pass');
  });
});

describe('redirect responses', () => {
  it('are 302, uncacheable, with the target in Location and no body', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'endpoint', true);
    const res = await navigate(`${MDE}/alert/da637472900382838869_1364969609?tid=${tenant}`);
    expect(res.status).toBe(302);
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    expect(res.headers.get('location')).toBe(
      `https://security.microsoft.com/alert/da637472900382838869_1364969609?tid=${tenant}`,
    );
    expect(await res.text()).toBe('');
  });

  it('serve a hash-mapping page at a hash-routed SPA root, with a strict nonce CSP', async () => {
    const tenant = newTenant();
    const res = await navigate(`${OFFICE}/?tid=${tenant}`);
    expect(res.status).toBe(200);
    expect(decisionOf(res)).toEqual({ decision: 'redirect', reason: 'default-on' });
    const csp = res.headers.get('content-security-policy') ?? '';
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    expect(csp).toContain("default-src 'none'");
    const html = await res.text();
    expect(html).toContain(`<script nonce="${nonce}">`);
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).toContain(`href="https://security.microsoft.com/homepage?tid=${tenant}"`);
    expect(html).toContain('location.replace');
  });

  it('map the ?hash= form that the hash page (and old Office links) send', async () => {
    const tenant = newTenant();
    const res = await navigate(`${OFFICE}/?hash=/restrictedusers&tid=${tenant}`);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(
      `https://security.microsoft.com/restrictedusers?tid=${tenant}`,
    );
  });

  it('never point at a legacy host', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'endpoint', true);
    const res = await navigate(`${MDE}/alerts?tid=${tenant}`);
    expect(locationOf(res)?.host).toBe('security.microsoft.com');
  });
});
