/**
 * Links in Defender for Endpoint e-mail notifications point at the legacy portal's alert and
 * incident pages, with or without `tid`
 * (https://learn.microsoft.com/defender-endpoint/configure-email-notifications: the e-mail carries
 * the alert's link and, for multi-tenant recipients, the tenant; notification e-mails for
 * incidents link the incident page). Each form lands through the edge decision on the right page,
 * with any tracking parameters kept.
 */
import { describe, expect, it } from 'vitest';
import { decisionOf, EDGE_COOKIE, navigate, newTenant, seedToggle, tenantCookie } from './helpers';

const U = 'https://security.microsoft.com';

describe('e-mail notification links', () => {
  const forms: [string, (id: string, t: string) => [string, string]][] = [
    [
      'alert page with tid',
      (id, t) => [
        `https://securitycenter.windows.com/alert/${id}?tid=${t}`,
        `${U}/alert/${id}?tid=${t}`,
      ],
    ],
    [
      'alert page on the .microsoft.com host',
      (id, t) => [
        `https://securitycenter.microsoft.com/alert/${id}?tid=${t}`,
        `${U}/alert/${id}?tid=${t}`,
      ],
    ],
    [
      'alert page with tracking parameters',
      (id, t) => [
        `https://securitycenter.windows.com/alert/${id}?tid=${t}&utm_source=alertnotification&utm_medium=email&source=email`,
        `${U}/alert/${id}?utm_source=alertnotification&utm_medium=email&source=email&tid=${t}`,
      ],
    ],
    [
      'incident page with tid',
      (_id, t) => [
        `https://securitycenter.windows.com/incidents/1234?tid=${t}`,
        `${U}/incidents/1234?tid=${t}`,
      ],
    ],
    [
      'incident page, singular form',
      (_id, t) => [
        `https://securitycenter.windows.com/incident/1234/overview?tid=${t}&source=email`,
        `${U}/incident/1234/overview?source=email&tid=${t}`,
      ],
    ],
    [
      'incident by alert',
      (id, t) => [
        `https://securitycenter.windows.com/incidents/byalert?alertId=${id}&source=EmailNotification&tid=${t}`,
        `${U}/incidents/byalert?alertId=${id}&source=EmailNotification&tid=${t}`,
      ],
    ],
  ];

  it.each(forms)(
    '%s lands on the same page of the unified portal when redirection is on',
    async (_label, form) => {
      const tenant = newTenant();
      await seedToggle(tenant, 'endpoint', true);
      const [legacy, unified] = form('da637370718981685665_16349121', tenant);
      const res = await navigate(legacy, { site: 'cross-site' });
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toBe(unified);
    },
  );

  it.each(forms)('%s stays on the legacy portal when redirection is off', async (_label, form) => {
    const tenant = newTenant();
    await seedToggle(tenant, 'endpoint', false);
    const [legacy] = form('da637370718981685665_16349121', tenant);
    const res = await navigate(legacy, { site: 'cross-site' });
    expect(decisionOf(res)).toEqual({ decision: 'pass', reason: 'toggle-off' });
  });

  it('a link without tid uses the tenant the browser is known by, else stays put', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'endpoint', true);
    const link =
      'https://securitycenter.windows.com/alert/da637370718981685665_16349121?utm_source=alertnotification';
    const known = await navigate(link, {
      site: 'cross-site',
      cookies: `${EDGE_COOKIE.tid}=${await tenantCookie('securitycenter.windows.com', tenant)}`,
    });
    expect(known.headers.get('location')).toBe(
      `${U}/alert/da637370718981685665_16349121?utm_source=alertnotification&tid=${tenant}`,
    );
    const unknown = await navigate(link, { site: 'cross-site' });
    expect(decisionOf(unknown)).toEqual({ decision: 'pass', reason: 'unknown-tenant' });
  });

  it('a signed-in user clicking an e-mail link is not ejected from the legacy session', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'endpoint', true);
    const res = await navigate(`https://securitycenter.windows.com/alert/da1?tid=${tenant}`, {
      site: 'cross-site',
      cookies: 'sccauth=live',
    });
    expect(decisionOf(res).reason).toBe('session-sticky');
  });
});
