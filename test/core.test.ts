import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PRODUCTS } from '../src/catalogue/products';
import type { Product, ProductId } from '../src/catalogue/types';
import { decide } from '../src/core/decide';
import { DeepLinkMap, isUnderAny, pathSegments } from '../src/core/deeplinks';
import { HostIndex, normaliseHost } from '../src/core/hosts';
import { mapLegacyLink } from '../src/core/links';
import { buildLocation, viaSetters } from '../src/core/location';
import { isPlainPath, isPlainSearch } from '../src/core/plain';
import { queryParam, queryParamAnyCase, withoutParamAnyCase } from '../src/core/query';
import { REASONS } from '../src/core/reasons';
import { asTenantId } from '../src/core/tenant';
import {
  applyShape,
  type LinkShape,
  mapLegacyLinkShaped,
  rewriteLinkShaped,
} from '../src/siem/link-shapes';
import { landing, routeOf } from '../src/core/route';
import decisionDoc from '../docs/decision.md?raw';
import readme from '../README.md?raw';
import { reasonTable } from '../scripts/reasons-table';
import { coreContext, coreFacts } from './core-helpers';
import { decisionOf, navigate, newTenant, seedToggle } from './helpers';

const context = (products: readonly Product[]) => coreContext(products);
const facts = coreFacts;

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
  it.each([
    'atp.azure.com',
    'a.b.atp.azure.com',
    'a.b.c.portal.cloudappsecurity.com',
    'cloudappsecurity.com',
    '-x.atp.azure.com',
    'x_y.atp.azure.com',
    '[::1]',
    '',
    'security.microsoft.com',
  ])('%s is not a legacy host', (host) => expect(hosts.match(host)).toBeNull());
  it('normalises case, port and trailing dot', () => {
    expect(normaliseHost('Portal.ATP.Azure.com.:8443')).toBe('portal.atp.azure.com');
  });
});

describe('locked products', () => {
  const locked = PRODUCTS.map((p) =>
    p.id === 'endpoint' ? { ...p, phases: { ...p.phases, lockedFrom: '2026-01-01T00:00:00Z' } } : p,
  );
  const later = PRODUCTS.map((p) =>
    p.id === 'endpoint' ? { ...p, phases: { ...p.phases, lockedFrom: '2027-01-01T00:00:00Z' } } : p,
  );
  const tenant = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';

  it('redirect everyone once effective, whatever the tenant chose, without a store read', () => {
    const step = decide(
      context(locked),
      facts(`https://securitycenter.windows.com/alerts?tid=${tenant}`),
    );
    expect(step).toMatchObject({
      kind: 'decision',
      decision: { action: 'redirect', reason: 'locked' },
    });
    const off = decide(context(locked), facts('https://securitycenter.windows.com/alerts'), {
      toggle: { ok: true, value: false },
    });
    expect(off).toMatchObject({
      kind: 'decision',
      decision: { action: 'redirect', reason: 'locked' },
    });
  });

  it('still never eject an active session', () => {
    const step = decide(
      context(locked),
      facts('https://securitycenter.windows.com/alerts', { cookies: { sccauth: 'x' } }),
    );
    expect(step).toMatchObject({ decision: { action: 'pass', reason: 'session-sticky' } });
  });

  it('change nothing before the effective date', () => {
    const step = decide(
      context(later),
      facts(`https://securitycenter.windows.com/alerts?tid=${tenant}`),
    );
    expect(step).toEqual({ kind: 'need-toggle', tenant, product: 'endpoint' });
  });

  it('are not locked in the shipped catalogue', () => {
    expect(PRODUCTS.every((p) => p.phases.lockedFrom === null)).toBe(true);
  });
});

describe('the decision asks for what it needs, one read at a time', () => {
  it('asks for a host mapping, then the toggle', () => {
    const ctx = context(PRODUCTS);
    const f = facts('https://contoso.atp.azure.com/timeline');
    expect(decide(ctx, f)).toEqual({ kind: 'need-host-tenant', hostname: 'contoso.atp.azure.com' });
    const tenant = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';
    expect(decide(ctx, f, { hostTenant: { ok: true, value: tenant } })).toEqual({
      kind: 'need-toggle',
      tenant,
      product: 'identity',
    });
    const done = decide(ctx, f, {
      hostTenant: { ok: true, value: tenant },
      toggle: { ok: true, value: true },
    });
    expect(done).toMatchObject({ decision: { action: 'redirect', reason: 'toggle-on' } });
    // Only a verified sign-in is remembered; a host mapping decides its own requests.
    expect(done.kind === 'decision' && done.decision.setTenantCookie).toBeFalsy();
  });

  it('never asks for a read on requests that pass early', () => {
    const ctx = context(PRODUCTS);
    expect(decide(ctx, facts('https://example.org/')).kind).toBe('decision');
    expect(
      decide(ctx, facts('https://securitycenter.windows.com/x', { secFetchMode: 'cors' })).kind,
    ).toBe('decision');
    expect(
      decide(ctx, facts('https://securitycenter.windows.com/x', { cookies: { sccauth: '1' } }))
        .kind,
    ).toBe('decision');
  });

  it('reason codes are unique, and each is documented in the README decision table', () => {
    expect(new Set(REASONS).size).toBe(REASONS.length);
    const table = readme.slice(
      readme.indexOf('## The decision'),
      readme.indexOf('## Configuration'),
    );
    const documented = new Set([...table.matchAll(/`([a-z-]+)`/g)].map((m) => m[1]));
    expect(REASONS.filter((r) => !documented.has(r))).toEqual([]);
  });

  it('docs/decision.md shows the reason table as the code has it (npm run docs:reasons)', () => {
    expect(decisionDoc).toContain(reasonTable());
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
    expect(buildLocation(origin, '/a', 'x=1&tid=zzz&hash=/b&Tid=q', 'abc')).toBe(
      'https://security.microsoft.com/a?x=1&tid=abc',
    );
  });
});

describe('plain-URL fast paths agree with the URL API (inside workerd, whose URL the Worker uses)', () => {
  const origin = new URL('https://security.microsoft.com');
  // Characters that matter to URL parsing and serialising, and some that do not.
  const unit = fc.constantFrom(
    ...'aZ09-._~!$&\'()*+,;=:@/?#%\\ "<>`{}|^[]\t\n\u0000\u007féе\u{1F600}'.split(''),
    '%2e',
    '%2E',
    '%41',
    '%zz',
    '.',
    '..',
    '/',
    '/',
  );
  const text = fc.string({ unit, maxLength: 24 });

  it('joining a plain path and search gives exactly what the URL setters give', () => {
    // Half the inputs drawn from the characters a plain path or query may hold, so the join is
    // tried on many of them, not only where arbitrary text happens to be plain.
    const plain = fc.string({
      unit: fc.constantFrom(..."aZ09-._~!$&'()*+,;=:@/".split(''), '%41', '%2e', '..'),
      maxLength: 24,
    });
    const either = fc.oneof(text, plain);
    let tried = 0;
    fc.assert(
      fc.property(either, either, (p, q) => {
        const path = `/${p}`;
        const search = q === '' ? '' : `?${q}`;
        // Only plain inputs are joined; the others go through the setters (tested elsewhere).
        if (!isPlainPath(path) || !isPlainSearch(search)) return true;
        tried++;
        expect(origin.origin + path + search).toBe(viaSetters(origin, path, search));
        return true;
      }),
      { numRuns: 20_000 },
    );
    // The property held on enough inputs to mean something.
    expect(tried).toBeGreaterThan(4_000);
  });

  it('a Location built from any legacy query equals the reference: URL setters, our parameters dropped', () => {
    const name = (pair: string) => {
      const raw = pair.split('=')[0] as string;
      try {
        return decodeURIComponent(raw.replace(/\+/g, ' ')).toLowerCase();
      } catch {
        return raw.toLowerCase();
      }
    };
    const reference = (path: string, query: string, tenant: string | null) => {
      const pairs = query
        .split('&')
        .filter((pair) => pair.length > 0 && name(pair) !== 'tid' && name(pair) !== 'hash');
      if (tenant !== null) pairs.push(`tid=${tenant}`);
      return viaSetters(origin, path, pairs.length > 0 ? `?${pairs.join('&')}` : '');
    };
    const query = fc.string({
      unit: fc.constantFrom(
        'a',
        'Z',
        '=',
        '&',
        '%',
        '+',
        '?',
        '/',
        "'",
        ' ',
        'é',
        'tid',
        'TID',
        'hash',
        '%74id',
        't%69d',
        '1',
        'alertId',
        'xtid',
      ),
      maxLength: 16,
    });
    fc.assert(
      fc.property(
        fc.constantFrom('/', '/alerts', '/alert/da1_2', '/a b/c'),
        query,
        fc.option(fc.uuid(), { nil: null }),
        (path, q, tenant) => {
          expect(buildLocation(origin, path, q, tenant)).toBe(reference(path, q, tenant));
          return true;
        },
      ),
      { numRuns: 10_000 },
    );
  });

  it('a query parameter reads as URLSearchParams reads it', () => {
    const query = fc.string({
      unit: fc.constantFrom('tid', 'hash', '=', '&', 'a', 'T', '%', '%41', '+', ' ', '/', 'é'),
      maxLength: 14,
    });
    fc.assert(
      fc.property(query, fc.constantFrom('tid', 'hash'), (q, name) => {
        expect(queryParam(q, name)).toBe(new URLSearchParams(q).get(name));
        return true;
      }),
      { numRuns: 20_000 },
    );
  });

  it('a query parameter in any case reads as the first pair URLSearchParams names so', () => {
    const query = fc.string({
      unit: fc.constantFrom('tid', 'TID', 'Tid', 'tİd', '=', '&', 'a', '%', '%54', '%74', '+', ' '),
      maxLength: 14,
    });
    // The oracle: URLSearchParams' pairs, the name compared after ASCII upper case is lowered.
    const reference = (q: string) => {
      for (const [key, value] of new URLSearchParams(q))
        if (key.replace(/[A-Z]/g, (c) => c.toLowerCase()) === 'tid') return value;
      return null;
    };
    fc.assert(
      fc.property(query, (q) => {
        expect(queryParamAnyCase(q, 'tid'), q).toBe(reference(q));
        const left = withoutParamAnyCase(q, 'tid');
        expect(reference(left), q).toBeNull();
        // Every other pair stays, written as it was.
        const others = q.split('&').filter((pair) => {
          const name = pair.split('=')[0] as string;
          return reference(`${name}=x`) === null;
        });
        expect(left, q).toBe(others.join('&'));
        return true;
      }),
      { numRuns: 20_000 },
    );
  });

  it("the SIEM rewriter's fast path maps a link exactly as the map does", () => {
    const ctx = context(PRODUCTS);
    const host = fc.constantFrom(
      'securitycenter.windows.com',
      'securitycenter.microsoft.com',
      'protection.office.com',
      'SecurityCenter.windows.com',
      'securitycenter.windows.com:443',
      'portal.atp.azure.com',
      'x.portal.cloudappsecurity.com',
      'portal.cloudappsecurity.com',
      'evil.com',
    );
    const rest = fc.string({
      unit: fc.constantFrom(
        '/',
        '/',
        'alert',
        'alerts',
        'incidents',
        'byalert',
        'machines',
        'serviceHealth',
        'mailflow',
        'threatexplorer',
        'api',
        'viewalerts',
        'da1_2',
        'A',
        '.',
        '..',
        '%2e',
        '%41',
        '?',
        '&',
        '=',
        'tid=',
        'hash=',
        '#',
        '\\',
        ' ',
        'é',
        "'",
        '+',
      ),
      maxLength: 10,
    });
    fc.assert(
      fc.property(
        fc.constantFrom('https://', 'http://', 'HTTPS://', 'ftp://'),
        host,
        rest,
        fc.option(fc.uuid(), { nil: null }),
        fc.constantFrom(...PRODUCTS.map((p) => p.id)),
        (scheme, h, r, tenant, product) => {
          const value = scheme + h + r;
          expect(mapLegacyLinkShaped(ctx, value, product, tenant)?.text ?? null, value).toBe(
            mapLegacyLink(ctx, value, product, tenant),
          );
          return true;
        },
      ),
      { numRuns: 30_000 },
    );
  });

  it('links mapped through the shape of an earlier link map as the map maps each', () => {
    const ctx = context(PRODUCTS);
    const starts: Record<ProductId, string[]> = {
      endpoint: [
        'https://securitycenter.windows.com/alert/',
        'https://securitycenter.windows.com/alert/da1/',
        'https://securitycenter.windows.com/incidents/',
        'https://securitycenter.windows.com/incidents/byalert',
        'https://securitycenter.windows.com/machines/m1/',
        'https://securitycenter.windows.com/machine/',
        'https://securitycenter.windows.com/',
        'http://securitycenter.microsoft.com/alerts/',
        'https://securitycenter.windows.com/advanced-hunting/',
        'https://securitycenter.windows.com/serviceHealth/',
        'https://securitycenter.windows.com/preferences2/',
        'https://securitycenter.windows.com/preferences2/integration/incidents/',
        'https://evil.com/alert/',
      ],
      office: [
        'https://protection.office.com/',
        'https://protection.office.com/?',
        'https://protection.office.com/threatmanagement/',
        'https://protection.office.com/viewalerts/',
        'https://protection.office.com/mailflow/',
      ],
      identity: [
        'https://portal.atp.azure.com/',
        'https://portal.atp.azure.com/user/',
        'https://x.atp.azure.com/computer/',
      ],
      cloudapps: [
        'https://portal.cloudappsecurity.com/',
        'https://portal.cloudappsecurity.com/?',
        'https://portal.cloudappsecurity.com/api/',
        'https://portal.cloudappsecurity.com/policy/',
        'https://x.portal.cloudappsecurity.com/discovery/',
      ],
    };
    const rest = fc.string({
      unit: fc.constantFrom(
        'da1_2',
        'A',
        'x',
        '.',
        '..',
        '%2e',
        '%41',
        '?',
        '&',
        '=',
        'tid=',
        'hash=',
        '%2Falerts',
        '/alerts',
        'alertId=',
        'source=SIEM',
        '#',
        '\\',
        '/',
        ' ',
        'é',
        "'",
        '+',
        'alerts',
        'dashboard',
        'serviceHealth',
        'mailflow',
        'byalert',
      ),
      maxLength: 6,
    });
    // Mostly plain links, as payloads carry: these are the ones shapes stand for.
    const plainRest = fc.string({
      unit: fc.constantFrom('da1_2', 'x', '/', '?', '&', '=', 'hash=', 'alerts', 'source=SIEM'),
      maxLength: 4,
    });
    const tenant = fc.option(
      fc.constantFrom(
        '12345678-1234-1234-1234-123456789012',
        '87654321-4321-4321-4321-210987654321',
      ),
      { nil: null },
    );
    // A payload is one product's links.
    const payload = fc.constantFrom(...PRODUCTS.map((p) => p.id)).chain((product) =>
      fc.tuple(
        fc.constant(product),
        fc.array(
          fc.tuple(
            fc
              .tuple(fc.constantFrom(...starts[product]), fc.oneof(plainRest, plainRest, rest))
              .map(([s, r]) => s + r),
            tenant,
          ),
          { minLength: 1, maxLength: 20 },
        ),
      ),
    );
    let shaped = 0;
    fc.assert(
      fc.property(payload, ([product, links]) => {
        // Shapes are learned per payload, and a payload is one tenant's.
        const shapes = new Map<string | null, LinkShape[]>();
        for (const [value, tid] of links) {
          const reference = mapLegacyLink(ctx, value, product, tid);
          for (const shape of shapes.get(tid) ?? []) {
            const through = applyShape(shape, value);
            if (through !== null) {
              shaped++;
              expect(through, `${value} through the shape of ${shape.start}`).toBe(reference);
            }
          }
          const mapped = mapLegacyLinkShaped(ctx, value, product, tid);
          expect(mapped?.text ?? null, value).toBe(reference);
          if (mapped?.shape) shapes.set(tid, [mapped.shape, ...(shapes.get(tid) ?? [])]);
        }
        return true;
      }),
      { numRuns: 8_000 },
    );
    // The property is about shapes: enough links went through one.
    expect(shaped).toBeGreaterThan(300);
  });

  it("a kept link's shape keeps exactly links the reference keeps, whatever follows its host", () => {
    // A SIEM payload whose links are on another portal is read without a call per link: the
    // first one's shape keeps all of its host. Only a host that is none of the product's may.
    const ctx = context(PRODUCTS);
    const scheme = fc.constantFrom('https://', 'http://');
    const host = fc.constantFrom(
      'security.microsoft.com',
      'evil.com',
      'securitycenter.windows.com.evil.com',
      'securitycenter.windows.com',
      'securitycenter.microsoft.com',
      'portal.atp.azure.com',
      'contoso.atp.azure.com',
      'portal.cloudappsecurity.com',
      'a.b.portal.cloudappsecurity.com',
      'protection.office.com',
      '1.2.3.4',
      '0x7f.1',
      'xn--80ak6aa92e.com',
    );
    const rest = fc.string({
      unit: fc.constantFrom(
        'alert',
        'alerts',
        'da1_2',
        '/',
        '.',
        '..',
        '%2e',
        '%41',
        '?',
        '&',
        '=',
        'tid=',
        '#',
        '@',
        ':',
        'evil.com',
        '\\',
        ' ',
        'é',
        '"',
        '<',
        '+',
      ),
      maxLength: 6,
    });
    const product = fc.constantFrom(
      'endpoint' as const,
      'identity' as const,
      'cloudapps' as const,
      'office' as const,
    );
    // What follows the host in the other links: a path, or something that moves the host.
    const after = fc.constantFrom(
      '/',
      '@securitycenter.windows.com/',
      '.evil.com/',
      ':443/',
      '/..//securitycenter.windows.com/',
    );
    let kept = 0;
    fc.assert(
      fc.property(
        scheme,
        host,
        rest,
        fc.array(fc.tuple(after, rest), { minLength: 1, maxLength: 5 }),
        product,
        (sc, h, r, tails, p) => {
          const first = `${sc}${h}/${r}`;
          const others = tails.map(([a, t]) => `${sc}${h}${a}${t}`);
          const answer = rewriteLinkShaped(ctx, first, p, null);
          expect(answer === null ? first : answer.text, first).toBe(
            mapLegacyLink(ctx, first, p, null) ?? first,
          );
          if (answer?.shape && answer.text === first) {
            kept++;
            for (const other of others) {
              const shaped = applyShape(answer.shape, other);
              if (shaped !== null)
                expect(shaped, `${other} through the kept shape of ${first}`).toBe(
                  mapLegacyLink(ctx, other, p, null) ?? other,
                );
            }
          }
          return true;
        },
      ),
      { numRuns: 5_000 },
    );
    expect(kept).toBeGreaterThan(500);
    expect(
      rewriteLinkShaped(ctx, 'https://security.microsoft.com/alert/1', 'endpoint', null)?.shape
        ?.start,
    ).toBe('https://security.microsoft.com/');
    // The product's own host maps (the map's target), and a host the URL API rewrites leaves no shape.
    expect(rewriteLinkShaped(ctx, 'https://contoso.atp.azure.com/x', 'identity', null)?.text).toBe(
      mapLegacyLink(ctx, 'https://contoso.atp.azure.com/x', 'identity', null),
    );
    expect(rewriteLinkShaped(ctx, 'https://0x7f.1/x', 'endpoint', null)).toBeNull();
    // A link of the product's own host that stays leaves no shape: another link of that host may
    // map.
    for (const [product, link] of [
      ['endpoint', 'https://securitycenter.windows.com/serviceHealth'],
      ['office', 'https://protection.office.com/mailflow/x'],
      ['office', 'https://protection.office.com/nosuchpage'],
      ['cloudapps', 'https://portal.cloudappsecurity.com/api/v1/alerts'],
    ] as const) {
      expect(mapLegacyLink(ctx, link, product, null), link).toBeNull();
      expect(rewriteLinkShaped(ctx, link, product, null), link).toBeNull();
    }
  });

  it('a shape stands for the last segment only where no out-of-scope prefix ends there', () => {
    const endpoint = PRODUCTS.find((p) => p.id === 'endpoint') as Product;
    const products = PRODUCTS.map((p) =>
      p === endpoint
        ? { ...p, outOfScope: [{ prefix: '/files/secret', area: 'service-health' as const }] }
        : p,
    );
    const ctx = context(products);
    const t = '12345678-1234-1234-1234-123456789012';
    const link = 'https://securitycenter.windows.com/files/public';
    expect(mapLegacyLinkShaped(ctx, link, 'endpoint', t)).toEqual({
      text: `https://security.microsoft.com/files/public?tid=${t}`,
      shape: null,
    });
    expect(
      mapLegacyLinkShaped(ctx, 'https://securitycenter.windows.com/files/Secret', 'endpoint', t),
    ).toBeNull();
    // Deeper, the prefix has decided already: the shape stands for every last segment.
    const deeper = mapLegacyLinkShaped(ctx, `${link}/a`, 'endpoint', t)?.shape as LinkShape;
    expect(applyShape(deeper, `${link}/b`)).toBe(
      `https://security.microsoft.com/files/public/b?tid=${t}`,
    );
  });

  it('a hash-routed product gives no shape to a link with a query: its ?hash= names the route', () => {
    const ctx = context(PRODUCTS);
    const t = '12345678-1234-1234-1234-123456789012';
    const first = mapLegacyLinkShaped(
      ctx,
      'https://portal.cloudappsecurity.com/?x=1',
      'cloudapps',
      t,
    );
    expect(first).toEqual({
      text: `https://security.microsoft.com/cloudapps/dashboard?tid=${t}`,
      shape: null,
    });
    expect(
      mapLegacyLinkShaped(ctx, 'https://portal.cloudappsecurity.com/?hash=/alerts', 'cloudapps', t)
        ?.text,
    ).toBe(`https://security.microsoft.com/alerts?tid=${t}`);
  });

  it('a shape stands for the last segment only where no row tests that segment', () => {
    const rows = [
      { from: '/alert/new', to: '/create', query: 'drop' as const, area: 'alerts' as const },
      { from: '/alert/:id', to: '/alerts/:id', query: 'keep' as const, area: 'alerts' as const },
      {
        from: '/files/*',
        to: '/file/*/overview',
        query: 'keep' as const,
        area: 'entities' as const,
      },
    ];
    const map = new DeepLinkMap({ source: 'test', rows });
    // `new` is a literal in the first row: the value of the last segment decides.
    expect(map.aroundLast(['alert', 'x1'])).toBeNull();
    expect(map.aroundLast(['files', 'a', 'b'])).toEqual({
      pieces: ['/file/a/', '/overview'],
      keepQuery: true,
    });
    expect(map.aroundLast(['files'])).toBeNull();
    const products = PRODUCTS.map((p) =>
      p.id === 'endpoint' ? { ...p, deepLinks: { source: 'test', rows } } : p,
    );
    const ctx = context(products);
    const t = '12345678-1234-1234-1234-123456789012';
    expect(
      mapLegacyLinkShaped(ctx, 'https://securitycenter.windows.com/alert/x1', 'endpoint', t)?.shape,
    ).toBeNull();
    const files = mapLegacyLinkShaped(
      ctx,
      'https://securitycenter.windows.com/files/a/b',
      'endpoint',
      t,
    )?.shape as LinkShape;
    expect(applyShape(files, 'https://securitycenter.windows.com/files/a/c')).toBe(
      `https://security.microsoft.com/file/a/c/overview?tid=${t}`,
    );
    expect(applyShape(files, 'https://securitycenter.windows.com/files/a/..')).toBeNull();
    for (const value of [
      'https://securitycenter.windows.com/alert/x1',
      'https://securitycenter.windows.com/alert/new',
      'https://securitycenter.windows.com/alert/NEW',
      'https://securitycenter.windows.com/files/a/b',
      'https://securitycenter.windows.com/files/a/c',
      'https://securitycenter.windows.com/files/a/..',
    ]) {
      expect(mapLegacyLinkShaped(ctx, value, 'endpoint', t)?.text ?? null, value).toBe(
        mapLegacyLink(ctx, value, 'endpoint', t),
      );
    }
    expect(mapLegacyLink(ctx, 'https://securitycenter.windows.com/alert/new', 'endpoint', t)).toBe(
      `https://security.microsoft.com/create?tid=${t}`,
    );
  });

  it('every deep-link target in the catalogue is a plain path', () => {
    for (const product of PRODUCTS) {
      for (const row of product.deepLinks.rows) {
        const [path, query] = row.to.split('?') as [string, string | undefined];
        expect(isPlainPath(path.replace(/:\w+/g, 'x').replace(/\*/g, 'x')), row.to).toBe(true);
        if (query !== undefined) expect(isPlainSearch(`?${query}`), row.to).toBe(true);
      }
    }
  });

  it('takes the fast path for the links SIEM payloads carry', () => {
    expect(isPlainPath('/alerts/da637370718981685665_16349121')).toBe(true);
    const ctx = context(PRODUCTS);
    const fast = (value: string) => mapLegacyLinkShaped(ctx, value, 'endpoint', null)?.text ?? null;
    expect(fast('https://securitycenter.windows.com/alert/da1_2')).toBe(
      'https://security.microsoft.com/alert/da1_2',
    );
    // Not plain (upper-case host, a port, a dot segment): the map answers, with the same rules.
    expect(fast('https://SecurityCenter.Windows.com/alert/da1_2')).toBe(
      'https://security.microsoft.com/alert/da1_2',
    );
    expect(fast('https://securitycenter.windows.com:443/alert/./da1_2')).toBe(
      'https://security.microsoft.com/alert/da1_2',
    );
    expect(fast('https://evil.com/securitycenter.windows.com/alert/1')).toBeNull();
  });
});

describe('API hosts', () => {
  it('are never redirected, even for a browser navigation of a tenant with redirection on', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'endpoint', true);
    const res = await navigate(
      `https://wdatp-alertexporter-eu.windows.com/api/alerts?tid=${tenant}`,
    );
    expect(res.headers.get('location')).toBeNull();
    expect(decisionOf(res).decision).toBe('pass');
  });

  it('say api-host in the pure decision (what explain reports)', () => {
    const step = decide(
      context(PRODUCTS),
      facts('https://wdatp-alertexporter-us.windows.com/api/alerts'),
    );
    expect(step).toMatchObject({
      decision: { action: 'pass', reason: 'api-host', product: 'endpoint' },
    });
  });
});

describe('out-of-scope prefixes', () => {
  // The definition: the path's segments, lower-cased, start with a prefix's segments.
  const under = (path: string, prefixes: readonly string[]) => {
    const segments = pathSegments(path.toLowerCase());
    return prefixes.some((prefix) => {
      const want = pathSegments(prefix.toLowerCase());
      return want.length > 0 && want.every((s, i) => segments[i] === s);
    });
  };
  const office = PRODUCTS.find((p) => p.id === 'office') as Product;
  const words = ['', 'a', 'B', 'Insiderriskmgmt', 'communicationcompliance', 'alerts', '..', '%2f'];

  it("a path is under a prefix exactly when its segments start with the prefix's", () => {
    const officePrefixes = office.outOfScope.map((o) => o.prefix);
    const word = fc.constantFrom(...words, ...officePrefixes.flatMap((p) => pathSegments(p)));
    const path = fc
      .tuple(fc.array(word, { maxLength: 5 }), fc.array(fc.constantFrom('/', '\\', '//')))
      .map(([ws, seps]) =>
        ws.map((w, i) => (seps[i % Math.max(seps.length, 1)] ?? '/') + w).join(''),
      );
    const prefixes = fc.oneof(
      fc.constant(officePrefixes),
      fc.array(
        fc.array(fc.constantFrom(...words), { maxLength: 3 }).map((ws) => `/${ws.join('/')}`),
        { maxLength: 4 },
      ),
    );
    fc.assert(
      fc.property(path, prefixes, (p, ps) => {
        expect(isUnderAny(p, ps)).toBe(under(p, ps));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('landings', () => {
  const office = PRODUCTS.find((p) => p.id === 'office') as Product;

  it('a path lands where a fresh table lands it, however many paths came before', () => {
    const map = new DeepLinkMap(office.deepLinks);
    // Repeated paths (answered from what this isolate remembers) among enough distinct ones to
    // fill and empty that memory several times over.
    const known = ['/', '/antiphishing', '/ANTISPAM', '/insiderriskmgmt/x', '/quarantine', '/nope'];
    const path = fc.oneof(
      fc.constantFrom(...known),
      fc.stringMatching(/^\/[a-z]{1,8}(\/[a-z0-9]{1,6}){0,2}$/),
    );
    fc.assert(
      fc.property(fc.array(path, { minLength: 3000, maxLength: 3000 }), (paths) => {
        for (const p of paths) {
          // A copy of the product with a table of its own shares nothing remembered.
          const fresh = landing(
            { ...office },
            new DeepLinkMap(office.deepLinks),
            routeOf(office, p, ''),
          );
          expect(landing(office, map, routeOf(office, p, ''))).toEqual(fresh);
        }
      }),
      { numRuns: 3 },
    );
  });

  it("a configuration's own table answers, never another's for the same product", () => {
    const table = (to: string) => ({
      source: 'test',
      rows: [{ from: '/antiphishing', to, area: 'policies' as const }],
    });
    const route = routeOf(office, '/antiphishing', '');
    const a = new DeepLinkMap(table('/a'));
    const b = new DeepLinkMap(table('/b'));
    expect(landing(office, a, route)?.path).toBe('/a');
    expect(landing(office, b, route)?.path).toBe('/b');
    expect(landing(office, a, route)?.path).toBe('/a');
  });
});

describe('the tenant a link names', () => {
  it('is read from ?tid= in any case, and only from a GUID', () => {
    const t = '12345678-1234-1234-1234-123456789012';
    const ctx = context(PRODUCTS);
    for (const q of [`tid=${t}`, `TID=${t}`, `Tid=${t.toUpperCase()}`, `x=1&%54id=${t}`])
      expect(decide(ctx, facts(`https://securitycenter.windows.com/alerts?${q}`)), q).toEqual({
        kind: 'need-toggle',
        tenant: t,
        product: 'endpoint',
      });
    expect(
      decide(ctx, facts('https://securitycenter.windows.com/alerts?TID=not-a-guid')),
    ).toMatchObject({ kind: 'decision', decision: { reason: 'unknown-tenant' } });
  });
});

describe('tenant ids', () => {
  it('a value is a tenant id exactly when it is a GUID, and comes back in lower case', () => {
    const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
    const unit = fc.constantFrom(
      '0',
      '9',
      'a',
      'f',
      'A',
      'F',
      'g',
      'G',
      '-',
      '/',
      ':',
      '@',
      '`',
      ' ',
    );
    const value = fc.oneof(
      fc.uuid().map((u) => u.toUpperCase()),
      fc.uuid(),
      // A GUID with one character changed to any of the units.
      fc.tuple(fc.uuid(), fc.nat(35), unit).map(([u, i, c]) => u.slice(0, i) + c + u.slice(i + 1)),
      fc.string({ unit, minLength: 34, maxLength: 38 }),
      fc
        .array(fc.string({ unit, minLength: 4, maxLength: 12 }), { minLength: 5, maxLength: 5 })
        .map((parts) => parts.join('-')),
    );
    fc.assert(
      fc.property(value, (v) => {
        expect(asTenantId(v)).toBe(GUID.test(v) ? v.toLowerCase() : null);
      }),
      { numRuns: 20_000 },
    );
    expect(asTenantId(null)).toBeNull();
    expect(asTenantId(undefined)).toBeNull();
  });
});
