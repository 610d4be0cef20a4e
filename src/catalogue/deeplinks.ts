import type { DeepLinkTable, ProductId } from './types';

/**
 * Deep-link tables: where a legacy page lives on the unified portal. A path that no row matches
 * goes to the unified home page, never to a guessed URL. Each table names its source.
 */
export const DEEP_LINKS: Record<ProductId, DeepLinkTable> = {
  endpoint: {
    source:
      'https://learn.microsoft.com/defender-xdr/microsoft-365-security-center-mde (navigation table) and ' +
      'https://learn.microsoft.com/defender-endpoint/configure-siem (SIEM example: ' +
      'securitycenter.windows.com/alert/{id} -> security.microsoft.com/alert/{id}; ' +
      '/incidents/byalert?alertId={id}&source=SIEM unchanged)',
    // The unified portal serves the Defender for Endpoint pages at the same paths: keep shape.
    rows: [
      { from: '/', to: '/', query: 'keep' }, // MSSP form /?tid={tid}
      { from: '/dashboard', to: '/', query: 'keep' }, // "Dashboards -> Home"
      { from: '/alert/:id', to: '/alert/:id', query: 'keep' },
      { from: '/alert/:id/*', to: '/alert/:id/*', query: 'keep' },
      { from: '/alerts', to: '/alerts', query: 'keep' },
      { from: '/alerts/*', to: '/alerts/*', query: 'keep' },
      { from: '/alertsqueue', to: '/alerts', query: 'keep' }, // "Alerts queue -> Incidents & alerts"
      { from: '/incident/:id', to: '/incident/:id', query: 'keep' },
      { from: '/incident/:id/*', to: '/incident/:id/*', query: 'keep' },
      { from: '/incidents', to: '/incidents', query: 'keep' },
      { from: '/incidents/*', to: '/incidents/*', query: 'keep' },
      { from: '/machines', to: '/machines', query: 'keep' },
      { from: '/machines/*', to: '/machines/*', query: 'keep' },
      { from: '/machine/*', to: '/machines/*', query: 'keep' },
      { from: '/file/*', to: '/file/*', query: 'keep' },
      { from: '/files/*', to: '/files/*', query: 'keep' },
      { from: '/url/*', to: '/url/*', query: 'keep' },
      { from: '/urls/*', to: '/urls/*', query: 'keep' },
      { from: '/ip/*', to: '/ip/*', query: 'keep' },
      { from: '/ips/*', to: '/ips/*', query: 'keep' },
      { from: '/user/*', to: '/user/*', query: 'keep' },
      { from: '/users/*', to: '/users/*', query: 'keep' },
      { from: '/investigation/*', to: '/investigation/*', query: 'keep' },
      { from: '/investigations', to: '/investigations', query: 'keep' },
      { from: '/action-center', to: '/action-center', query: 'keep' },
      { from: '/action-center/*', to: '/action-center/*', query: 'keep' },
      { from: '/advanced-hunting', to: '/v2/advanced-hunting', query: 'keep' },
      { from: '/threatanalytics3', to: '/threatanalytics3', query: 'keep' },
      { from: '/threatanalytics3/*', to: '/threatanalytics3/*', query: 'keep' },
      { from: '/tvm_dashboard', to: '/tvm_dashboard', query: 'keep' },
      { from: '/preferences2/*', to: '/preferences2/*', query: 'keep' },
      { from: '/interoperability/*', to: '/interoperability/*', query: 'keep' },
    ],
  },
  office: {
    source:
      'https://learn.microsoft.com/defender-xdr/microsoft-365-security-center-mdo ("Quick reference" and ' +
      '"What\'s changed" tables: Threat management -> /homepage, Alerts -> /alertpolicies and /alerts, ' +
      'Permissions -> /emailandcollabpermissions, Search (audit) -> /auditlogsearch, Reports -> ' +
      '/emailandcollabreport; Explorer, Policies, Campaign, Submissions, Review, Threat Tracker unchanged)',
    rows: [
      { from: '/', to: '/homepage' },
      { from: '/homepage', to: '/homepage' },
      { from: '/threatmanagement', to: '/homepage' },
      { from: '/threatmanagement/*', to: '/homepage' },
      { from: '/tpdashboard', to: '/homepage' },
      { from: '/alerts', to: '/alertpolicies' },
      { from: '/alertpolicies', to: '/alertpolicies' },
      { from: '/viewalerts', to: '/alerts' },
      { from: '/permissions', to: '/emailandcollabpermissions' },
      { from: '/unifiedauditlog', to: '/auditlogsearch' },
      { from: '/auditlogsearch', to: '/auditlogsearch' },
      { from: '/reports', to: '/emailandcollabreport' },
      { from: '/reportv2', to: '/emailandcollabreport' },
      // Security pages that kept their path.
      { from: '/antiphishing', to: '/antiphishing', query: 'keep' },
      { from: '/antispam', to: '/antispam', query: 'keep' },
      { from: '/antimalwarev2', to: '/antimalwarev2', query: 'keep' },
      { from: '/safelinksv2', to: '/safelinksv2', query: 'keep' },
      { from: '/safeattachmentv2', to: '/safeattachmentv2', query: 'keep' },
      { from: '/threatpolicy', to: '/threatpolicy', query: 'keep' },
      { from: '/threatexplorer', to: '/threatexplorer', query: 'keep' },
      { from: '/quarantine', to: '/quarantine', query: 'keep' },
      { from: '/restrictedusers', to: '/restrictedusers', query: 'keep' },
      { from: '/campaigns', to: '/campaigns', query: 'keep' },
      { from: '/threattracker', to: '/threattrackerv2', query: 'keep' },
      { from: '/submissions', to: '/reportsubmission', query: 'keep' },
      { from: '/reportsubmission', to: '/reportsubmission', query: 'keep' },
      { from: '/review', to: '/action-center' },
    ],
  },
  identity: {
    source:
      'https://learn.microsoft.com/defender-for-identity/microsoft-365-security-center-mdi ("Quick reference ' +
      'for legacy portal users": Timeline -> Alerts/Incidents queue, Alert page -> alert details page, ' +
      'Health issues and Settings -> Settings > Identities, Users and accounts -> Assets > Identities)',
    rows: [
      { from: '/', to: '/' },
      { from: '/timeline', to: '/incidents' },
      { from: '/securityalert/:id', to: '/alerts/:id' },
      { from: '/alerts/:id', to: '/alerts/:id' },
      { from: '/health', to: '/settings/identities' },
      { from: '/healthcenter', to: '/settings/identities' },
      { from: '/configuration', to: '/settings/identities' },
      { from: '/configuration/*', to: '/settings/identities' },
      { from: '/settings', to: '/settings/identities' },
      { from: '/users', to: '/identities' },
    ],
  },
  cloudapps: {
    source:
      'https://learn.microsoft.com/defender-cloud-apps/microsoft-365-defender (Cloud Apps pages under ' +
      "/cloudapps in the Microsoft Defender portal); legacy forms seen in Microsoft's own examples: " +
      'portal.cloudappsecurity.com/#/dashboard, #/alerts/{id}, #/policy/?id=..., #/services/{appId}; ' +
      'unified forms in Defender for Cloud Apps SIEM output: security.microsoft.com/cloudapps/activity-log',
    rows: [
      { from: '/', to: '/cloudapps/dashboard' },
      { from: '/dashboard', to: '/cloudapps/dashboard' },
      { from: '/alerts', to: '/alerts' },
      { from: '/alerts/:id', to: '/alerts' },
      { from: '/activity', to: '/cloudapps/activity-log', query: 'keep' },
      { from: '/audits', to: '/cloudapps/activity-log' },
      { from: '/policy', to: '/cloudapps/policies/management' },
      { from: '/policy/*', to: '/cloudapps/policies/management' },
      { from: '/policies', to: '/cloudapps/policies/management' },
      { from: '/discovery', to: '/cloudapps/discovery' },
      { from: '/discovery/*', to: '/cloudapps/discovery' },
      { from: '/catalog', to: '/cloudapps/app-catalog' },
      { from: '/files', to: '/cloudapps/files', query: 'keep' },
      { from: '/governance', to: '/cloudapps/governance-log' },
      { from: '/settings', to: '/cloudapps/settings' },
      { from: '/oauth-apps', to: '/cloudapps/oauth-apps' },
      { from: '/connected-apps', to: '/cloudapps/settings' },
    ],
  },
};
