import { describe, expect, it } from 'vitest';
import { decisionOf, legacySession, navigate, newTenant, seedToggle } from './helpers';

const U = 'https://security.microsoft.com';

describe('1. Office moves only its security pages (on by default for every tenant)', () => {
  it.each([
    '/insiderriskmgmt',
    '/communicationcompliance',
    '/InsiderRiskMgmt/cases',
    '/compliancemanager',
    '/a-page-no-row-knows',
  ])('a tenant that never chose stays on the legacy portal for %s', async (path) => {
    const tenant = newTenant();
    const res = await navigate(
      `https://protection.office.com${path}${path.includes('?') ? '&' : '?'}tid=${tenant}`,
      { cookies: await legacySession('protection.office.com') },
    );
    expect(decisionOf(res)).toEqual({ decision: 'pass', reason: 'out-of-scope' });
    expect(res.status).toBe(200);
    expect(res.headers.get('location')).toBeNull();
    expect(res.headers.get('x-demo-origin')).toBe('1');
  });

  it.each([
    ['/?hash=/insiderriskmgmt', '/insiderriskmgmt'],
    ['/?hash=%2Fcommunicationcompliance%3Fx%3D1', '/communicationcompliance?x=1'],
  ])(
    'a tenant that never chose gets %s back on the legacy portal with the route in the fragment',
    async (path, route) => {
      const tenant = newTenant();
      const res = await navigate(`https://protection.office.com${path}&tid=${tenant}`, {
        cookies: await legacySession('protection.office.com'),
      });
      expect(decisionOf(res)).toEqual({ decision: 'pass', reason: 'out-of-scope' });
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toBe(`/?tid=${tenant}#${route}`);
    },
  );

  it('the same tenant moves on the documented security pages (default-on)', async () => {
    const tenant = newTenant();
    for (const [path, target] of [
      ['/threatmanagement', '/homepage'],
      [
        '/viewalerts?id=372c9b5b-a6c3-5847-fa00-08d8abb04ef1',
        '/viewalerts?id=372c9b5b-a6c3-5847-fa00-08d8abb04ef1',
      ],
      ['/reports', '/emailandcollabreport'],
    ] as const) {
      const res = await navigate(
        `https://protection.office.com${path}${path.includes('?') ? '&' : '?'}tid=${tenant}`,
      );
      expect(decisionOf(res), path).toEqual({ decision: 'redirect', reason: 'default-on' });
      expect(res.headers.get('location'), path).toBe(
        `${U}${target}${target.includes('?') ? '&' : '?'}tid=${tenant}`,
      );
    }
  });

  it("an alert notification's link keeps its alert id, with the mail's tracking parameters", async () => {
    const tenant = newTenant();
    const res = await navigate(
      `https://protection.office.com/viewalerts?id=9f1e&utm_source=alert-mail&tid=${tenant}`,
    );
    expect(res.headers.get('location')).toBe(
      `${U}/viewalerts?id=9f1e&utm_source=alert-mail&tid=${tenant}`,
    );
  });
});

describe('1. products that moved whole: unknown pages go home, documented exceptions stay', () => {
  it('Endpoint: service health (Microsoft 365 admin center) passes as out-of-scope', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'endpoint', true);
    const health = await navigate(`https://securitycenter.windows.com/serviceHealth?tid=${tenant}`);
    expect(decisionOf(health)).toEqual({ decision: 'pass', reason: 'out-of-scope' });
    const unknown = await navigate(`https://securitycenter.windows.com/no-such-area?tid=${tenant}`);
    expect(unknown.headers.get('location')).toBe(`${U}/?tid=${tenant}`);
  });

  it('Cloud Apps: security configuration (Defender for Cloud) passes as out-of-scope', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'cloudapps', true);
    const config = await navigate(
      `https://portal.cloudappsecurity.com/?hash=/security-configuration&tid=${tenant}`,
    );
    expect(decisionOf(config)).toEqual({ decision: 'pass', reason: 'out-of-scope' });
    const unknown = await navigate(
      `https://portal.cloudappsecurity.com/?hash=/no-such-area&tid=${tenant}`,
    );
    expect(unknown.headers.get('location')).toBe(`${U}/?tid=${tenant}`);
  });
});
