import { describe, expect, it } from 'vitest';
import worker from '../src/index';
import type { Env } from '../src/config';
import {
  decisionOf,
  legacySession,
  navigation,
  newTenant,
  seedToggle,
  send,
  signInPost,
  testEnv,
} from './helpers';

interface Echo {
  method: string;
  path: string;
  host: string;
  headers: Record<string, string>;
  bodyLength: number;
}

describe('pass-through', () => {
  it('sends method, path, query, headers and body on unchanged, with the original host', async () => {
    const body = new Uint8Array(200_000).map((_, i) => (i * 7) % 256);
    const res = await send(
      new Request('https://portal.cloudappsecurity.com/api/v1/alerts/?skip=0&limit=10', {
        method: 'PUT',
        headers: {
          Authorization: 'Token abc',
          'X-Custom': 'kept',
          'Content-Type': 'application/octet-stream',
        },
        body,
      }),
    );
    expect(decisionOf(res)).toEqual({ decision: 'pass', reason: 'not-navigation' });
    const echo = (await res.json()) as Echo;
    expect(echo.method).toBe('PUT');
    expect(echo.path).toBe('/api/v1/alerts/?skip=0&limit=10');
    expect(echo.host).toBe('portal.cloudappsecurity.com');
    expect(echo.headers.authorization).toBe('Token abc');
    expect(echo.headers['x-custom']).toBe('kept');
    expect(echo.bodyLength).toBe(200_000);
  });

  it('returns the origin page with the decision headers added (a ?tid= link sets no cookie)', async () => {
    const tenant = newTenant();
    const session = await legacySession('securitycenter.windows.com');
    const res = await send(
      navigation(`https://securitycenter.windows.com/alerts?tid=${tenant}`, { cookies: session }),
    );
    expect(res.status).toBe(200);
    expect(decisionOf(res)).toEqual({ decision: 'pass', reason: 'session-sticky' });
    expect(res.headers.get('x-demo-origin')).toBe('1');
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(await res.text()).toContain('<code>/alerts?tid=');
    // Without a session the portal's own redirect to sign in passes, with the edge's trip cookie
    // and never a tenant cookie.
    const signIn = await send(
      navigation(`https://securitycenter.windows.com/alerts?tid=${tenant}`),
    );
    expect(decisionOf(signIn)).toEqual({ decision: 'pass', reason: 'default-off' });
    expect(signIn.status).toBe(302);
    expect(signIn.headers.get('x-demo-origin')).toBe('1');
    const edgeCookies = signIn.headers.getSetCookie().filter((c) => c.includes('portal_redirect'));
    expect(edgeCookies.map((c) => c.split('=')[0])).toEqual(['__Host-portal_redirect_trip']);
  });

  it('answers a clean 502 JSON error when the origin is down', async () => {
    const env = { ...testEnv, PASSTHROUGH_ORIGIN: 'http://127.0.0.1:9' } as Env;
    const res = await worker.fetch(navigation('https://securitycenter.windows.com/alerts'), env);
    expect(res.status).toBe(502);
    expect(decisionOf(res)).toEqual({ decision: 'pass', reason: 'unknown-tenant' });
    expect(await res.json()).toEqual({ error: 'origin_unreachable', message: expect.any(String) });
  });

  it('the origin timeout covers the headers only: a slow body keeps streaming', async () => {
    const env = { ...testEnv, ORIGIN_TIMEOUT_MS: '200' } as Env;
    const res = await worker.fetch(
      new Request('https://securitycenter.windows.com/__fault/trickle?ms=800'),
      env,
    );
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('piece 9');
    expect(text.endsWith('done\n')).toBe(true);
  });

  it('answers a clean 504 JSON error when the origin is too slow', async () => {
    const env = { ...testEnv, ORIGIN_TIMEOUT_MS: '200' } as Env;
    const started = Date.now();
    const res = await worker.fetch(
      new Request('https://securitycenter.windows.com/__fault/slow?ms=10000'),
      env,
    );
    expect(res.status).toBe(504);
    expect(((await res.json()) as { error: string }).error).toBe('origin_timeout');
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('6. a pass that depended on the browser is never a shared cache entry', () => {
  const PUBLIC = { 'X-Demo-Cache-Control': 'public, max-age=600, s-maxage=600' };

  it('session-sticky, observe-would-redirect and sign-in-unverified are private and Vary', async () => {
    const host = 'securitycenter.windows.com';
    const observing = newTenant();
    await seedToggle(observing, 'endpoint', 'observe');
    const sticky = await send(
      navigation(`https://${host}/alerts`, { cookies: await legacySession(host), headers: PUBLIC }),
    );
    const observed = await send(
      navigation(`https://${host}/__page/chunked?tid=${observing}`, { headers: PUBLIC }),
    );
    const post = signInPost(`https://${host}/signin-oidc`, 'not.a.token');
    for (const [name, value] of Object.entries(PUBLIC)) post.headers.set(name, value);
    const unverified = await send(post);
    for (const [res, reason] of [
      [sticky, 'session-sticky'],
      [observed, 'observe-would-redirect'],
      [unverified, 'sign-in-unverified'],
    ] as const) {
      expect(decisionOf(res).reason).toBe(reason);
      expect(res.headers.get('cache-control'), reason).toBe('private, max-age=600');
      expect(res.headers.get('vary'), reason).toBe('Cookie, Sec-Fetch-Mode, Sec-Fetch-Site');
    }
  });

  it('a page decided by its path alone (out of scope) keeps the origin caching', async () => {
    const res = await send(
      navigation(`https://protection.office.com/ediscovery?tid=${newTenant()}`, {
        cookies: await legacySession('protection.office.com'),
        headers: PUBLIC,
      }),
    );
    expect(decisionOf(res).reason).toBe('out-of-scope');
    expect(res.headers.get('cache-control')).toBe('public, max-age=600, s-maxage=600');
    expect(res.headers.get('vary')).toBeNull();
  });

  it('a subresource varies on Sec-Fetch-Mode only, and stays shared-cacheable', async () => {
    const res = await send(
      new Request('https://securitycenter.windows.com/__page/gzip', {
        headers: { 'Sec-Fetch-Mode': 'no-cors', 'Sec-Fetch-Dest': 'script', ...PUBLIC },
      }),
    );
    expect(decisionOf(res).reason).toBe('not-navigation');
    expect(res.headers.get('cache-control')).toBe('public, max-age=600, s-maxage=600');
    expect(res.headers.get('vary')).toBe('Sec-Fetch-Mode');
  });
});
