import { describe, expect, it } from 'vitest';
import worker from '../src/index';
import type { Env } from '../src/config';
import { adminToken, api, expectError, expectErrorPage } from './api-helpers';
import { decisionOf, navigate, newTenant, seedToggle, send, testEnv } from './helpers';

const ADMIN = 'http://localhost';
const now = () => Math.floor(Date.now() / 1000);

function form(url: string, body: BodyInit, headers: Record<string, string> = {}): Request {
  return new Request(url, {
    method: 'POST',
    headers: {
      Origin: new URL(url).origin,
      'Content-Type': 'application/x-www-form-urlencoded',
      ...headers,
    },
    body,
    redirect: 'manual',
  });
}

/** A form body that never ends on its own: the Worker must stop reading it. */
function endlessBody(counter: { chunks: number }): ReadableStream<Uint8Array> {
  const chunk = new TextEncoder().encode(`feedback=${'a'.repeat(64 * 1024 - 9)}`);
  return new ReadableStream({
    pull(controller) {
      counter.chunks++;
      if (counter.chunks > 1000) controller.close();
      else controller.enqueue(chunk);
    },
  });
}

describe('page POSTs are bounded before parsing', () => {
  it('an unauthenticated 1 MiB form to /auth/logout, /auth/dev or a setting answers 413', async () => {
    const big = `csrf=x&feedback=${'a'.repeat(1024 * 1024)}`;
    for (const path of ['/auth/logout', '/auth/dev', '/settings/endpoint']) {
      await expectErrorPage(await send(form(`${ADMIN}${path}`, big)), 413, 'payload_too_large');
    }
  });

  it('a body without Content-Length is cut off after the limit, not read to its end', async () => {
    const counter = { chunks: 0 };
    const res = await send(
      new Request(`${ADMIN}/auth/logout`, {
        method: 'POST',
        headers: { Origin: ADMIN, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: endlessBody(counter),
        // @ts-expect-error: workerd wants `duplex` for a streamed request body in some builds
        duplex: 'half',
      }),
    );
    await expectErrorPage(res, 413, 'payload_too_large');
    expect(counter.chunks).toBeLessThan(50);
  });
});

describe('pages authorise exactly like the API', () => {
  it('a signed-in tenant member without a read role sees neither the settings nor the audit', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'endpoint', false);
    const token = await adminToken(tenant, []);
    expect((await api('GET', `/tenants/${tenant}/redirection`, { token })).status).toBe(403);
    for (const path of ['/settings', '/settings/audit', '/settings/confirm/endpoint']) {
      const res = await send(
        new Request(`${ADMIN}${path}`, { headers: { Cookie: `pr_session=${token}` } }),
      );
      await expectErrorPage(res, 403, 'forbidden');
    }
  });

  it('a reader still sees both', async () => {
    const tenant = newTenant();
    const token = await adminToken(tenant, ['security-reader']);
    for (const path of ['/settings', '/settings/audit']) {
      const res = await send(
        new Request(`${ADMIN}${path}`, { headers: { Cookie: `pr_session=${token}` } }),
      );
      expect(res.status, path).toBe(200);
    }
  });
});

describe('languages are looked up by own keys only', () => {
  it('?lang=__proto__ / constructor / toString is ignored: no cookie, the page still answers', async () => {
    for (const lang of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      const res = await send(new Request(`${ADMIN}/settings?lang=${lang}`));
      expect(res.status, lang).toBe(200);
      expect(
        res.headers.getSetCookie().some((c) => c.startsWith('pr_lang=')),
        lang,
      ).toBe(false);
      expect(await res.text()).toContain('<html lang="en">');
    }
  });

  it('a pr_lang cookie naming an inherited property falls back to the browser language', async () => {
    const res = await send(
      new Request(`${ADMIN}/settings`, {
        headers: { Cookie: 'pr_lang=constructor', 'Accept-Language': 'nl' },
      }),
    );
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<html lang="nl">');
  });

  it('Accept-Language: __proto__ on a legacy page with the banner gets the English banner', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'endpoint', false);
    for (const language of ['__proto__', 'constructor;q=0.9, __proto__']) {
      const res = await navigate(
        `https://securitycenter.windows.com/__page/chunked?tid=${tenant}`,
        {
          headers: { 'Accept-Language': language },
        },
      );
      expect(res.status, language).toBe(200);
      expect(decisionOf(res).reason).toBe('toggle-off');
      expect(await res.text()).toContain('This portal is moving to the Microsoft Defender portal.');
    }
  });
});

describe('cookies on an https admin host', () => {
  it('session and CSRF cookies are __Host- prefixed and Secure, and the session works', async () => {
    const https = 'https://localhost';
    const first = await send(new Request(`${https}/settings`));
    const csrfCookie = first.headers.getSetCookie().find((c) => c.startsWith('__Host-pr_csrf='));
    expect(csrfCookie).toBeDefined();
    expect(csrfCookie).toMatch(/; Secure/);
    expect(csrfCookie).toMatch(/; Path=\//);
    // Sent with a cross-site arrival (Entra ID's redirect, the banner's link), as the session is:
    // a page loaded without it would render forms with no token.
    expect(csrfCookie).toMatch(/; SameSite=Lax/);
    expect(csrfCookie).not.toMatch(/Domain=/i);
    const csrf = /name="csrf" value="([^"]+)"/.exec(await first.text())?.[1] ?? '';
    const jar = csrfCookie!.split(';')[0]!;
    const signIn = await send(
      form(
        `${https}/auth/dev`,
        new URLSearchParams({ csrf, tenant: newTenant(), role: 'global-admin' }).toString(),
        { Cookie: jar },
      ),
    );
    expect(signIn.status).toBe(303);
    const cookies = signIn.headers.getSetCookie();
    const session = cookies.find((c) => c.startsWith('__Host-pr_session='));
    expect(session).toMatch(/; Secure/);
    expect(cookies.some((c) => c.startsWith('pr_session='))).toBe(false);
    const newCsrf = cookies.find((c) => c.startsWith('__Host-pr_csrf='))!.split(';')[0]!;
    const page = await send(
      new Request(`${https}/settings`, {
        headers: { Cookie: `${session!.split(';')[0]}; ${newCsrf}` },
      }),
    );
    expect(await page.text()).toContain('Signed in as Dev Admin');
    // An unprefixed cookie (one a sibling host could have planted) is not a session over https.
    const planted = await send(
      new Request(`${https}/settings`, {
        headers: { Cookie: `pr_session=${session!.split(';')[0]!.split('=')[1]}` },
      }),
    );
    expect(await planted.text()).not.toContain('Signed in as');
  });
});

describe('the OIDC flow cookie on an https admin host', () => {
  it('is __Secure- prefixed, and a callback finds it under that name only', async () => {
    const https = 'https://localhost';
    const env = {
      ...testEnv,
      AUTH_CLIENT_ID: 'client-1',
      AUTH_AUTHORITY: 'https://login.microsoftonline.com/organizations/v2.0',
    } as Env;
    const login = await worker.fetch(new Request(`${https}/auth/login`), env);
    const flow = login.headers.getSetCookie().find((c) => c.startsWith('__Secure-pr_oidc='));
    expect(flow).toMatch(/; Secure/);
    const state = new URL(login.headers.get('location')!).searchParams.get('state');
    const value = flow!.split(';')[0]!.split('=')[1];
    // The unprefixed name (one a sibling host could set) is not the flow: no state, 400.
    const planted = await worker.fetch(
      new Request(`${https}/auth/callback?code=abc&state=${state}`, {
        headers: { Cookie: `pr_oidc=${value}` },
      }),
      env,
    );
    await expectErrorPage(planted, 400, 'invalid_request');
  });
});

describe('tokens', () => {
  const read = (tenant: string, token: string) =>
    api('GET', `/tenants/${tenant}/redirection`, { token });

  async function expect401(res: Response, label: string): Promise<void> {
    expect(res.status, label).toBe(401);
    expect(await res.json(), label).toEqual({
      error: 'unauthorized',
      message: 'A valid access token is required.',
    });
  }

  it('a key set that cannot be fetched answers 503 with Retry-After, not 401', async () => {
    const tenant = newTenant();
    const env = {
      ...testEnv,
      AUTH_JWKS: '',
      AUTH_JWKS_URL: 'http://127.0.0.1:9/discovery/keys',
    } as Env;
    const token = await adminToken(tenant, ['global-admin']);
    const res = await worker.fetch(
      new Request(`${ADMIN}/api/tenants/${tenant}/redirection`, {
        headers: { Authorization: `Bearer ${token}` },
      }),
      env,
    );
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    await expectError(res, 503, 'unavailable');
  });

  it('iat in the future, a token older than 28 hours, and no iat are refused', async () => {
    const tenant = newTenant();
    await expect401(
      await read(tenant, await adminToken(tenant, ['global-admin'], { iat: now() + 600 })),
      'iat future',
    );
    await expect401(
      await read(
        tenant,
        await adminToken(tenant, ['global-admin'], {
          iat: now() - 29 * 3600,
          nbf: now() - 29 * 3600,
        }),
      ),
      'too old',
    );
    await expect401(
      await read(tenant, await adminToken(tenant, ['global-admin'], { iat: undefined })),
      'no iat',
    );
  });

  it("the consumer (personal Microsoft account) tenant is refused even with an admin's wids", async () => {
    const msa = '9188040d-6c67-4c5b-b112-36a304b66dad';
    await expect401(await read(msa, await adminToken(msa, ['global-admin'])), 'msa');
  });

  it('the issuer form must match the token version', async () => {
    const tenant = newTenant();
    const v2iss = `https://login.microsoftonline.com/${tenant}/v2.0`;
    const v1iss = `https://sts.windows.net/${tenant}/`;
    for (const [claims, label] of [
      [{ ver: '1.0', iss: v2iss }, 'v1 token, v2 issuer'],
      [{ ver: '2.0', iss: v1iss }, 'v2 token, v1 issuer'],
      [{ ver: undefined }, 'no ver'],
      [{ ver: 'toString' }, 'ver toString'],
      [{ ver: '__proto__' }, 'ver __proto__'],
    ] as const) {
      await expect401(
        await read(tenant, await adminToken(tenant, ['global-admin'], claims)),
        label,
      );
    }
  });
});
