import { describe, expect, it } from 'vitest';
import { newTenant, navigate, seedToggle } from './helpers';

const U = 'https://security.microsoft.com';

/**
 * One row per deep-link table row: legacy URL -> expected unified URL (tid appended by the edge).
 * Written out by hand, not derived from the table, so a wrong table row fails here.
 */
const ROWS: Record<
  'endpoint' | 'office' | 'identity' | 'cloudapps',
  { host: string; rows: [string, string][] }
> = {
  endpoint: {
    host: 'securitycenter.windows.com',
    rows: [
      ['/', '/'],
      // MSSP form: /?tid={tid} keeps its shape.
      ['/dashboard', '/'],
      // Microsoft's SIEM example.
      ['/alert/da637472900382838869_1364969609', '/alert/da637472900382838869_1364969609'],
      ['/alert/da6374/details', '/alert/da6374/details'],
      ['/alerts', '/alerts'],
      ['/alerts/queue', '/alerts/queue'],
      ['/alertsqueue', '/alerts'],
      ['/incident/42', '/incident/42'],
      ['/incident/42/overview', '/incident/42/overview'],
      ['/incidents', '/incidents'],
      [
        '/incidents/byalert?alertId=da6374&source=SIEM',
        '/incidents/byalert?alertId=da6374&source=SIEM',
      ],
      ['/machines', '/machines'],
      ['/machines/4a5b/overview', '/machines/4a5b/overview'],
      ['/machine/4a5b', '/machines/4a5b'],
      [
        '/file/3395856ce81f2b7382dee72602f798b642f14140/overview',
        '/file/3395856ce81f2b7382dee72602f798b642f14140/overview',
      ],
      ['/files/abc', '/files/abc'],
      ['/url/contoso.com', '/url/contoso.com'],
      ['/urls/contoso.com/overview', '/urls/contoso.com/overview'],
      ['/ip/10.1.2.3', '/ip/10.1.2.3'],
      ['/ips/10.1.2.3/overview', '/ips/10.1.2.3/overview'],
      ['/user/S-1-5-21-1', '/user/S-1-5-21-1'],
      ['/users/alice/overview', '/users/alice/overview'],
      ['/investigation/7', '/investigation/7'],
      // "Automated investigations -> Action center".
      ['/investigations', '/action-center'],
      ['/action-center', '/action-center'],
      ['/action-center/history', '/action-center/history'],
      ['/advanced-hunting?query=abc', '/v2/advanced-hunting?query=abc'],
      ['/threatanalytics3', '/threatanalytics3'],
      ['/threatanalytics3/abc/overview', '/threatanalytics3/abc/overview'],
      ['/tvm_dashboard', '/tvm_dashboard'],
      ['/preferences2/general', '/preferences2/general'],
      // Settings > Endpoints: its documented Advanced features page.
      ['/preferences2', '/preferences2/integration'],
      // The SIEM API's earlier IncidentLinkToWDATP form.
      [
        '/preferences2/integration/incidents/byalert?alertId=da6374&source=SIEM',
        '/incidents/byalert?alertId=da6374&source=SIEM',
      ],
      ['/interoperability/siem', '/interoperability/siem'],
      ['/reports', '/securityreports'],
      ['/evaluation', '/tutorials/all'],
      ['/tutorials', '/tutorials/all'],
      ['/tutorials/simulations', '/tutorials/all'],
      // Named by Microsoft without an address: the nearest documented page.
      ['/configuration-management', '/policy-inventory'],
      ['/search?q=contoso-pc', '/machines'],
      ['/no-such-area/x', '/'],
    ],
  },
  office: {
    host: 'protection.office.com',
    rows: [
      ['/homepage', '/homepage'],
      ['/threatmanagement', '/homepage'],
      ['/threatmanagement/dashboard', '/homepage'],
      ['/tpdashboard', '/homepage'],
      ['/alerts', '/alertpolicies'],
      ['/alertpolicies', '/alertpolicies'],
      ['/viewalerts', '/viewalerts'],
      // An alert notification's link lands on that alert, by query or by path.
      [
        '/viewalerts?id=372c9b5b-a6c3-5847-fa00-08d8abb04ef1',
        '/viewalerts?id=372c9b5b-a6c3-5847-fa00-08d8abb04ef1',
      ],
      [
        '/viewalerts/372c9b5b-a6c3-5847-fa00-08d8abb04ef1',
        '/viewalerts?id=372c9b5b-a6c3-5847-fa00-08d8abb04ef1',
      ],
      ['/tenantAllowBlockList', '/tenantAllowBlockList'],
      ['/tenantAllowBlockList?viewid=SpoofItem', '/tenantAllowBlockList?viewid=SpoofItem'],
      ['/permissions', '/emailandcollabpermissions'],
      ['/unifiedauditlog', '/auditlogsearch?viewid=Async%20Search'],
      ['/auditlogsearch', '/auditlogsearch?viewid=Async%20Search'],
      ['/reports', '/emailandcollabreport'],
      ['/reportv2', '/emailandcollabreport'],
      ['/insightdashboard', '/emailandcollabreport'],
      ['/antiphishing', '/antiphishing'],
      ['/antispam', '/antispam'],
      ['/antimalwarev2', '/antimalwarev2'],
      ['/safelinksv2', '/safelinksv2'],
      ['/safeattachmentv2', '/safeattachmentv2'],
      ['/threatpolicy', '/threatpolicy'],
      ['/threatexplorer', '/threatexplorer'],
      ['/quarantine', '/quarantine'],
      ['/restrictedusers', '/restrictedusers'],
      ['/campaigns', '/campaigns'],
      ['/threattracker', '/threattrackerv2'],
      ['/submissions', '/reportsubmission'],
      ['/reportsubmission', '/reportsubmission'],
      ['/review', '/review'],
      // The legacy ?hash= form, and any case.
      ['/?hash=/restrictedusers', '/restrictedusers'],
      ['/?hash=%2FAntiSpam', '/antispam'],
    ],
  },
  identity: {
    host: 'portal.atp.azure.com',
    rows: [
      ['/timeline', '/incidents'],
      ['/securityAlert/1a2b3c', '/alerts/1a2b3c'],
      ['/alerts/1a2b3c', '/alerts/1a2b3c'],
      ['/health', '/identities/health-issues'],
      ['/healthcenter', '/identities/health-issues'],
      ['/configuration', '/settings/identities'],
      ['/configuration/sensors', '/settings/identities'],
      ['/settings', '/settings/identities'],
      ['/users', '/identities'],
      ['/user/alice', '/identities'],
      ['/group/6f1c2a3b', '/identities'],
      ['/computer/dc01', '/machines'],
      ['/entityactivities', '/v2/advanced-hunting'],
      ['/securityposture', '/securescore'],
      ['/onboarding', '/settings/identities?tabid=onboarding'],
      ['/about', '/settings/identities?tabid=about'],
      // Named by Microsoft without an address: the nearest documented page.
      ['/reports', '/securityreports'],
      ['/search', '/identities'],
      ['/no-such-area', '/'],
    ],
  },
  cloudapps: {
    host: 'portal.cloudappsecurity.com',
    rows: [
      ['/?hash=/dashboard', '/cloudapps/dashboard'],
      ['/?hash=/alerts', '/alerts'],
      ['/?hash=/alerts/6254ad90467a7d7b3d69f934', '/alerts'],
      ['/?hash=/activity', '/cloudapps/activity-log'],
      ['/?hash=/audits', '/cloudapps/activity-log'],
      ['/?hash=/policy', '/cloudapps/policies/management'],
      [
        '/?hash=%2Fpolicy%2F%3Fid%3Deq(5a4cd40810bc95f3d6cbaa83%2C)',
        '/cloudapps/policies/management',
      ],
      ['/?hash=/policies', '/cloudapps/policies/management'],
      ['/?hash=/discovery', '/cloudapps/discovery'],
      ['/?hash=/discovery/streams', '/cloudapps/discovery'],
      ['/?hash=%2Fdiscovery%3Ftab%3DdiscoveredApps', '/cloudapps/discovery?tab=discoveredApps'],
      ['/?hash=/catalog', '/cloudapps/app-catalog'],
      ['/?hash=%2Ffiles%3Fstatus%3D1', '/cloudapps/files?status=1'],
      ['/?hash=/governance', '/cloudapps/governance-log'],
      ['/?hash=/settings', '/cloudapps/settings'],
      ['/?hash=/oauth-apps', '/cloudapps/oauth-apps'],
      ['/?hash=/app-permissions', '/cloudapps/oauth-apps'],
      ['/?hash=/connected-apps', '/cloudapps/settings?tabid=appConnectors'],
      ['/?hash=/app-connectors', '/cloudapps/settings?tabid=appConnectors'],
      ['/?hash=/users', '/identities'],
      ['/?hash=/accounts', '/identities'],
      ['/?hash=/identity-security-posture', '/securescore'],
      ['/?hash=/templates', '/cloudapps/policies/templates'],
      ['/?hash=/playbooks', '/cloudapps/settings'],
      ['/?hash=/siem-agents', '/cloudapps/settings?tabid=siemAgents'],
      ['/?hash=/external-dlp', '/cloudapps/settings'],
      ['/?hash=/api-tokens', '/cloudapps/settings?tabid=apiTokens'],
      ['/?hash=/ip-ranges', '/cloudapps/settings?tabid=ipRanges'],
      ['/?hash=/user-groups', '/cloudapps/settings'],
      ['/?hash=/scoped-deployment', '/cloudapps/settings'],
      ['/?hash=/conditional-access-app-control', '/cloudapps/settings'],
      ['/?hash=/admin-roles', '/cloudapps/permissions/roles'],
      ['/?hash=/exported-reports', '/securityreports'],
      ['/?hash=/activity-privacy', '/'],
      ['/?hash=/services/11770', '/cloudapps/app-catalog'],
      ['/dashboard', '/cloudapps/dashboard'],
    ],
  },
};

describe.each(Object.entries(ROWS))('deep links: %s', (product, { host, rows }) => {
  it.each(rows)(`https://${host}%s -> ${U}%s`, async (legacy, unified) => {
    const tenant = newTenant();
    await seedToggle(tenant, product as keyof typeof ROWS, true);
    const res = await navigate(
      `https://${host}${legacy}${legacy.includes('?') ? '&' : '?'}tid=${tenant}`,
    );
    expect(res.status).toBe(302);
    const expected = `${U}${unified}${unified.includes('?') ? '&' : '?'}tid=${tenant}`;
    expect(res.headers.get('location')).toBe(expected);
  });
});

describe('query handling', () => {
  it('keeps the MSSP /?tid= form, with tid exactly once', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'endpoint', true);
    const res = await navigate(`https://securitycenter.microsoft.com/?tid=${tenant}&tid=${tenant}`);
    expect(res.headers.get('location')).toBe(`${U}/?tid=${tenant}`);
  });

  it('keeps the shape of a kept query (encoding, order, repeats)', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'endpoint', true);
    const res = await navigate(
      `https://securitycenter.windows.com/incidents?b=2&tid=${tenant}&a=%20x+y&a=3`,
    );
    expect(res.headers.get('location')).toBe(`${U}/incidents?b=2&a=%20x+y&a=3&tid=${tenant}`);
  });

  it('drops the query where the row says so', async () => {
    const tenant = newTenant();
    const res = await navigate(`https://protection.office.com/permissions?x=1&tid=${tenant}`);
    expect(res.headers.get('location')).toBe(`${U}/emailandcollabpermissions?tid=${tenant}`);
  });
});
