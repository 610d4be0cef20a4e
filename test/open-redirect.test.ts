import { describe, expect, it } from 'vitest';
import { PRODUCTS } from '../src/catalogue/products';
import { navigation, newTenant, seedToggle, send } from './helpers';

/**
 * Open-redirect payloads collected from public corpora (PayloadsAllTheThings "Open Redirect",
 * the OWASP Unvalidated Redirects cheat sheet): protocol-relative, backslashes, encoded slashes,
 * CR/LF, userinfo, unicode dots, javascript:. Each is tried in the path, in a kept query, and in
 * the ?hash= form on every legacy browser host.
 */
const PAYLOADS = [
  '//evil.com',
  '///evil.com',
  '/\\evil.com',
  '\\\\evil.com',
  '/%2F%2Fevil.com',
  '/%5C%5Cevil.com',
  '/%2f%2fevil.com%2f',
  '/alert/%0d%0aLocation:%20https://evil.com',
  '/alert/x%0D%0ASet-Cookie:%20a=b',
  '/alert/..%2F..%2F..%2Fevil.com',
  '/alert/%2e%2e/%2e%2e/evil',
  '/@evil.com',
  '/alert/@evil.com',
  '/alert/user:pass@evil.com',
  '/https:evil.com',
  '/https://evil.com',
  '/javascript:alert(1)',
  '/alert/javascript:alert(1)',
  '/evil%E3%80%82com',
  '/%E2%80%AEmoc.live',
  '/alert/evil%EF%BC%8Ecom',
  '/%09/evil.com',
  '/alert/%00evil',
];

const QUERIES = [
  'next=https://evil.com',
  'url=//evil.com',
  'x=%0d%0aLocation:evil',
  'returnUrl=javascript:alert(1)',
];
const HASHES = [
  '//evil.com',
  'https://evil.com',
  '/%2F%2Fevil.com',
  '\\\\evil.com',
  'javascript:alert(1)',
  '/alerts/..%2F..%2Fevil',
  '@evil.com',
];

const KEPT_QUERY_PAGE: Record<string, string> = {
  endpoint: '/incidents',
  office: '/antispam',
  identity: '/alerts/abc',
  cloudapps: '/activity',
};

/** The edge's own redirects (a pass carries the legacy portal's own Location, its business). */
function assertSafe(response: Response, label: string): void {
  const raw = response.headers.get('location');
  if (raw === null || response.headers.get('x-redirect-decision') !== 'redirect') return;
  expect(raw, label).not.toMatch(/[\r\n]/);
  const url = new URL(raw);
  expect(url.protocol, label).toBe('https:');
  expect(url.host, label).toBe('security.microsoft.com');
  expect(url.username + url.password, label).toBe('');
}

const BROWSER_HOSTS = PRODUCTS.flatMap((p) =>
  p.hosts
    .filter((h) => h.kind === 'browser')
    .map((h) => ({ product: p.id, host: h.pattern.replace(/\*/g, 'contoso') })),
);

describe.each(BROWSER_HOSTS)('open-redirect corpus on $host', ({ product, host }) => {
  it('every Location is https on the unified host with no userinfo and no CR/LF', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, product, true);
    let redirects = 0;
    for (const payload of PAYLOADS) {
      for (const query of ['', ...QUERIES]) {
        const url = `https://${host}${payload}?${query ? `${query}&` : ''}tid=${tenant}`;
        let request: Request;
        try {
          request = navigation(url);
        } catch {
          continue; // not even a URL a browser could send
        }
        const res = await send(request);
        expect(res.status, url).toBeLessThan(500);
        if (res.headers.get('location') && res.headers.get('x-redirect-decision') === 'redirect')
          redirects++;
        assertSafe(res, url);
      }
    }
    for (const hash of HASHES) {
      const url = `https://${host}/?hash=${encodeURIComponent(hash)}&tid=${tenant}`;
      const res = await send(navigation(url));
      assertSafe(res, url);
    }
    // A page whose row keeps the query (Office moves only listed pages, so the corpus's own
    // paths pass there): every hostile query through the Location builder.
    for (const query of QUERIES) {
      const url = `https://${host}${KEPT_QUERY_PAGE[product]}?${query}&tid=${tenant}`;
      const res = await send(navigation(url));
      expect(res.status, url).toBe(302);
      redirects++;
      assertSafe(res, url);
    }
    // The corpus did exercise the redirect path, not only passes.
    expect(redirects).toBeGreaterThan(product === 'office' ? QUERIES.length - 1 : 10);
  });
});

describe('hostile and odd input on legacy hosts', () => {
  it('survives 16 KB URLs and keeps Location bounded', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'endpoint', true);
    const longPath = await send(
      navigation(`https://securitycenter.windows.com/alert/${'a'.repeat(16_000)}?tid=${tenant}`),
    );
    expect(longPath.status).toBe(302);
    expect(longPath.headers.get('location')!.length).toBeLessThanOrEqual(16_100);
    const longQuery = await send(
      navigation(
        `https://securitycenter.windows.com/incidents?q=${'b'.repeat(16_000)}&tid=${tenant}`,
      ),
    );
    expect(longQuery.status).toBe(302);
    // A query too long for a sane Location is left behind; the page and tenant are kept.
    expect(longQuery.headers.get('location')).toBe(
      `https://security.microsoft.com/incidents?tid=${tenant}`,
    );
  });

  it('sends malformed percent-encoding to the unified home, never crashes', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'endpoint', true);
    for (const path of ['/alert/%E0%A4%A', '/alert/%', '/alert/%zz', '/%C0%AF']) {
      const res = await send(navigation(`https://securitycenter.windows.com${path}?tid=${tenant}`));
      expect(res.status, path).toBe(302);
      expect(res.headers.get('location'), path).toBe(
        `https://security.microsoft.com/?tid=${tenant}`,
      );
    }
    const badHash = await send(
      navigation(`https://protection.office.com/?hash=%E0%A4%A&tid=${tenant}`),
    );
    expect(badHash.status).toBeLessThan(500);
  });

  it('copes with odd cookie headers', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'endpoint', true);
    for (const cookies of [
      ';;;',
      '=',
      'a',
      'sccauth',
      `portal_redirect_tid=${'x'.repeat(5000)}`,
      `${'c=1; '.repeat(2000)}`,
    ]) {
      const res = await send(
        navigation(`https://securitycenter.windows.com/alerts?tid=${tenant}`, { cookies }),
      );
      expect(res.status, cookies.slice(0, 20)).toBe(302);
    }
  });
});
