/**
 * The product's first promise: a signed-in user is never thrown out of the legacy portal. Driven
 * by the catalogue: every product, every session cookie it names, every browser host pattern (a
 * tenant-specific one mapped to the tenant), with and without `?tid=`, for a tenant whose
 * redirection is on. A product, host or cookie added to the catalogue is covered here without
 * writing a test.
 */
import { describe, expect, it } from 'vitest';
import { PRODUCTS } from '../src/catalogue/products';
import { decisionOf, navigate, newTenant, seedHost, seedToggle } from './helpers';

/** A concrete host for a pattern: each `*` one label, distinct per tenant. */
const hostOf = (pattern: string, tenant: string) =>
  pattern.replace(/\*/g, (_m, i: number) => `s${i}${tenant.slice(0, 6)}`);

/** Per product, the site of a click inside the portal (Cloud Apps moves a new tab). */
const INSIDE = 'same-origin' as const;

const CASES = PRODUCTS.flatMap((product) =>
  product.hosts
    .filter((h) => h.kind === 'browser')
    .flatMap((host) =>
      product.sessionCookies.flatMap((cookie) =>
        [true, false].map((withTid) => ({ product, host, cookie, withTid })),
      ),
    ),
);

describe('a signed-in user stays, on every product, host and session cookie', () => {
  it('covers every product and every session cookie the catalogue names', () => {
    for (const product of PRODUCTS) {
      expect(product.sessionCookies.length, product.id).toBeGreaterThan(0);
      for (const cookie of product.sessionCookies)
        expect(
          CASES.some((c) => c.product.id === product.id && c.cookie === cookie),
          `${product.id} ${cookie}`,
        ).toBe(true);
    }
  });

  it.each(
    CASES.map((c) => [
      `${c.product.id} ${c.host.pattern} ${c.cookie}${c.withTid ? ' ?tid=' : ''}`,
      c,
    ]),
  )('%s', async (_label, { product, host, cookie, withTid }) => {
    const tenant = newTenant();
    await seedToggle(tenant, product.id, true);
    const name = hostOf(host.pattern, tenant);
    if (host.tenantSpecific) await seedHost(name, tenant);
    // A page the product moved (a row of its table), as a click inside the signed-in portal.
    const row = product.deepLinks.rows.find((r) => !r.from.includes(':') && !r.from.includes('*'));
    const path = row?.from === '/' && product.hashRouted ? '/?hash=%2Falerts' : (row?.from ?? '/');
    const query = withTid ? `${path.includes('?') ? '&' : '?'}tid=${tenant}` : '';
    const url = `https://${name}${path}${query}`;
    // Without the session it moves (the tenant's toggle is on), or, on a shared host without
    // ?tid=, knows no tenant: the session is what keeps the user.
    const known = withTid || host.tenantSpecific === true;
    const moved = await navigate(url, { site: INSIDE });
    expect(decisionOf(moved), url).toEqual(
      known
        ? { decision: 'redirect', reason: 'toggle-on' }
        : { decision: 'pass', reason: 'unknown-tenant' },
    );
    const res = await navigate(url, { cookies: `${cookie}=session-value`, site: INSIDE });
    expect(decisionOf(res), url).toEqual({ decision: 'pass', reason: 'session-sticky' });
    expect(res.headers.get('location') ?? '', url).not.toContain('security.microsoft.com');
  });
});
