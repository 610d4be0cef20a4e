import { describe, expect, it } from 'vitest';
import { PRODUCTS } from '../src/catalogue/products';
import type { Product } from '../src/catalogue/types';
import type { CoreContext, RequestFacts } from '../src/core/decide';
import { decide, navigationFacts } from '../src/core/decide';
import { DeepLinkMap } from '../src/core/deeplinks';
import { HostIndex, normaliseHost } from '../src/core/hosts';
import { buildLocation } from '../src/core/location';
import { REASONS } from '../src/core/reasons';
import { decisionOf, navigate, newTenant, seedToggle } from './helpers';

function context(products: readonly Product[]): CoreContext {
  return {
    hosts: new HostIndex(products),
    deepLinks: new Map(products.map((p) => [p.id, new DeepLinkMap(p.deepLinks)] as const)),
    unified: new URL('https://security.microsoft.com'),
  };
}

function facts(url: string, extra: Partial<RequestFacts> = {}): RequestFacts {
  return { ...navigationFacts(new URL(url), {}, Date.parse('2026-11-22T00:00:00Z')), ...extra };
}

describe('host matching', () => {
  const hosts = new HostIndex(PRODUCTS);
  it.each([
    ['securitycenter.windows.com', 'endpoint'],
    ['SECURITYCENTER.MICROSOFT.COM.', 'endpoint'],
    ['protection.office.com:443', 'office'],
    ['portal.atp.azure.com', 'identity'],
    ['contoso.atp.azure.com', 'identity'],
    ['portal.cloudappsecurity.com', 'cloudapps'],
    ['contoso.portal.cloudappsecurity.com', 'cloudapps'],
    ['contoso.us3.portal.cloudappsecurity.com', 'cloudapps'],
    ['wdatp-alertexporter-eu.windows.com', 'endpoint'],
  ])('%s is %s', (host, product) => {
    expect(hosts.match(host)?.product.id).toBe(product);
  });
  it.each(['atp.azure.com', 'a.b.atp.azure.com', 'a.b.c.portal.cloudappsecurity.com', 'cloudappsecurity.com', '-x.atp.azure.com', 'x_y.atp.azure.com', '[::1]', '', 'security.microsoft.com'])(
    '%s is not a legacy host',
    (host) => expect(hosts.match(host)).toBeNull(),
  );
  it('normalises case, port and trailing dot', () => {
    expect(normaliseHost('Portal.ATP.Azure.com.:8443')).toBe('portal.atp.azure.com');
  });
});

describe('locked products', () => {
  const locked = PRODUCTS.map((p) => (p.id === 'endpoint' ? { ...p, locked: { effectiveFrom: '2026-01-01T00:00:00Z' } } : p));
  const later = PRODUCTS.map((p) => (p.id === 'endpoint' ? { ...p, locked: { effectiveFrom: '2027-01-01T00:00:00Z' } } : p));
  const tenant = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';

  it('redirect everyone once effective, whatever the tenant chose, without a store read', () => {
    const step = decide(context(locked), facts(`https://securitycenter.windows.com/alerts?tid=${tenant}`));
    expect(step).toMatchObject({ kind: 'decision', decision: { action: 'redirect', reason: 'locked' } });
    const off = decide(context(locked), facts('https://securitycenter.windows.com/alerts'), { toggle: { ok: true, value: false } });
    expect(off).toMatchObject({ kind: 'decision', decision: { action: 'redirect', reason: 'locked' } });
  });

  it('still never eject an active session', () => {
    const step = decide(context(locked), facts('https://securitycenter.windows.com/alerts', { cookies: { sccauth: 'x' } }));
    expect(step).toMatchObject({ decision: { action: 'pass', reason: 'session-sticky' } });
  });

  it('change nothing before the effective date', () => {
    const step = decide(context(later), facts(`https://securitycenter.windows.com/alerts?tid=${tenant}`));
    expect(step).toEqual({ kind: 'need-toggle', tenant, product: 'endpoint' });
  });

  it('are not locked in the shipped catalogue', () => {
    expect(PRODUCTS.every((p) => p.locked === null)).toBe(true);
  });
});

describe('the decision asks for what it needs, one read at a time', () => {
  it('asks for a host mapping, then the toggle', () => {
    const ctx = context(PRODUCTS);
    const f = facts('https://contoso.atp.azure.com/timeline');
    expect(decide(ctx, f)).toEqual({ kind: 'need-host-tenant', hostname: 'contoso.atp.azure.com' });
    const tenant = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';
    expect(decide(ctx, f, { hostTenant: { ok: true, value: tenant } })).toEqual({ kind: 'need-toggle', tenant, product: 'identity' });
    const done = decide(ctx, f, { hostTenant: { ok: true, value: tenant }, toggle: { ok: true, value: true } });
    expect(done).toMatchObject({ decision: { action: 'redirect', reason: 'toggle-on', setTenantCookie: tenant } });
  });

  it('never asks for a read on requests that pass early', () => {
    const ctx = context(PRODUCTS);
    expect(decide(ctx, facts('https://example.org/')).kind).toBe('decision');
    expect(decide(ctx, facts('https://securitycenter.windows.com/x', { secFetchMode: 'cors' })).kind).toBe('decision');
    expect(decide(ctx, facts('https://securitycenter.windows.com/x', { cookies: { sccauth: '1' } })).kind).toBe('decision');
  });

  it('only ever names documented reason codes', () => {
    expect(new Set(REASONS).size).toBe(REASONS.length);
  });
});

describe('Location building', () => {
  const origin = new URL('https://security.microsoft.com');
  it('cannot be steered off the unified origin by the path', () => {
    for (const path of ['//evil.com/x', '/\\evil.com', 'https://evil.com', '/@evil.com']) {
      const url = new URL(buildLocation(origin, path, null, null));
      expect(url.origin).toBe('https://security.microsoft.com');
    }
  });
  it('drops tid and hash from the legacy query and appends tid once', () => {
    expect(buildLocation(origin, '/a', 'x=1&tid=zzz&hash=/b&Tid=q', 'abc')).toBe('https://security.microsoft.com/a?x=1&tid=abc');
  });
});

describe('API hosts', () => {
  it('are never redirected, even for a browser navigation of a tenant with redirection on', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'endpoint', true);
    const res = await navigate(`https://wdatp-alertexporter-eu.windows.com/api/alerts?tid=${tenant}`);
    expect(res.headers.get('location')).toBeNull();
    expect(decisionOf(res).decision).toBe('pass');
  });

  it('say api-host in the pure decision (what explain reports)', () => {
    const step = decide(context(PRODUCTS), facts('https://wdatp-alertexporter-us.windows.com/api/alerts'));
    expect(step).toMatchObject({ decision: { action: 'pass', reason: 'api-host', product: 'endpoint' } });
  });
});
