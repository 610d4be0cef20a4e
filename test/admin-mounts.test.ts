import { describe, expect, it } from 'vitest';
import { adminToken } from './api-helpers';
import { newTenant, send } from './helpers';

const ADMIN = 'http://localhost';

async function get(path: string, cookie?: string): Promise<Response> {
  return send(
    new Request(`${ADMIN}${path}`, {
      headers: cookie ? { Cookie: cookie } : {},
      redirect: 'manual',
    }),
  );
}

describe('guards come with the mount, for every path under it', () => {
  it('every page answer (signed in or out, any status) has the nonce CSP and no-store', async () => {
    const tenant = newTenant();
    const session = `pr_session=${await adminToken(tenant, ['security-reader'])}`;
    for (const [path, cookie] of [
      ['/settings', undefined],
      ['/settings/audit', undefined],
      ['/settings', session],
      ['/settings/audit', session],
      ['/settings/confirm/endpoint?enabled=true', session],
      ['/settings/confirm/nothing', session],
      ['/settings/no/such/page', session],
      ['/auth/login', undefined],
      ['/auth/callback', undefined],
    ] as const) {
      const res = await get(path, cookie);
      expect(res.headers.get('content-security-policy'), path).toMatch(/default-src 'none'/);
      expect(res.headers.get('cache-control'), path).toBe('no-store');
      await res.arrayBuffer();
    }
  });

  it('the API and health check are outside the page mounts: no page CSP, the API still no-store', async () => {
    const health = await get('/healthz');
    expect(health.headers.get('content-security-policy')).toBeNull();
    const doc = await get('/api/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.headers.get('content-security-policy')).toBeNull();
    expect(doc.headers.get('cache-control')).toBe('no-store');
  });

  it('the API bounds every body at its mount, before the route reads it', async () => {
    const tenant = newTenant();
    const token = await adminToken(tenant, ['global-admin']);
    const res = await send(
      new Request(`${ADMIN}/api/tenants/${tenant}/redirection/endpoint`, {
        method: 'PUT',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ enabled: true, feedback: 'x'.repeat(20_000) }),
      }),
    );
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: 'payload_too_large' });
  });
});

describe('which face answers', () => {
  it('an admin host answers as itself with any case, a port or a trailing dot', async () => {
    for (const origin of [
      'http://LocalHost',
      'http://localhost:8787',
      'http://localhost.',
      'http://127.0.0.1:8787',
    ]) {
      const res = await send(new Request(`${origin}/healthz`));
      expect(res.status, origin).toBe(200);
      expect(res.headers.get('x-redirect-decision'), origin).toBeNull();
      await res.arrayBuffer();
    }
  });

  it('any other host, an IPv6 literal included, is the edge', async () => {
    for (const origin of [
      'http://[::1]:8787',
      'http://[::1]',
      'http://localhost.example',
      'http://xlocalhost',
    ]) {
      const res = await send(new Request(`${origin}/healthz`));
      expect(res.headers.get('x-redirect-reason'), origin).toBe('unknown-host');
      await res.arrayBuffer();
    }
  });
});
