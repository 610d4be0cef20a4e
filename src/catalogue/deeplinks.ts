import type { DeepLinkTable, ProductId } from './types';

const MDE = 'https://learn.microsoft.com/defender-xdr/microsoft-365-security-center-mde';
const MDO = 'https://learn.microsoft.com/defender-xdr/microsoft-365-security-center-mdo';
const MDI = 'https://learn.microsoft.com/defender-for-identity/microsoft-365-security-center-mdi';
const MDA =
  'https://learn.microsoft.com/defender-xdr/microsoft-365-security-center-defender-cloud-apps';

/**
 * Deep-link tables: where a legacy page lives on the unified portal, from Microsoft's "... in the
 * Microsoft Defender portal" quick-reference pages (each table's `source`). A row whose target
 * Microsoft names but gives no address for goes to the unified home (`to: '/'`) and says so.
 * Endpoint, Identity and Cloud Apps moved whole: a path no row knows goes to the home. Office
 * moved only its security pages: a path no row knows stays on the legacy portal
 * (`unlisted: 'out-of-scope'` in products.ts). docs/decision.md counts the rows per product.
 */
export const DEEP_LINKS: Record<ProductId, DeepLinkTable> = {
  endpoint: {
    source:
      `${MDE} (navigation table: Dashboards -> Home, Alerts queue -> Incidents & alerts, Automated ` +
      'investigations -> Action center, Reports -> Reports, Evaluation and tutorials and Configuration ' +
      'management -> Endpoints, Service health -> Microsoft 365 admin center) and ' +
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
      // "Automated investigations -> Action center".
      { from: '/investigations', to: '/action-center' },
      { from: '/action-center', to: '/action-center', query: 'keep' },
      { from: '/action-center/*', to: '/action-center/*', query: 'keep' },
      { from: '/advanced-hunting', to: '/v2/advanced-hunting', query: 'keep' },
      { from: '/threatanalytics3', to: '/threatanalytics3', query: 'keep' },
      { from: '/threatanalytics3/*', to: '/threatanalytics3/*', query: 'keep' },
      { from: '/tvm_dashboard', to: '/tvm_dashboard', query: 'keep' },
      { from: '/preferences2/*', to: '/preferences2/*', query: 'keep' },
      { from: '/interoperability/*', to: '/interoperability/*', query: 'keep' },
      // "Reports -> Reports": the Reports page Microsoft's docs link as /securityreports.
      { from: '/reports', to: '/securityreports' },
      // "Evaluation and tutorials": Microsoft's docs link the page as /tutorials/all.
      { from: '/evaluation', to: '/tutorials/all' },
      { from: '/tutorials', to: '/tutorials/all' },
      { from: '/tutorials/*', to: '/tutorials/all' },
      // "Configuration management -> Endpoints > Configuration management": named, no address
      // documented, so the home.
      { from: '/configuration-management', to: '/' },
    ],
  },
  office: {
    source:
      `${MDO} ("Quick reference" and "What's changed" tables: Threat management -> /homepage, Alerts -> ` +
      '/alertpolicies and /alerts, Permissions -> /emailandcollabpermissions, Search (audit) -> ' +
      '/auditlogsearch?viewid=Async%20Search, Reports -> /emailandcollabreport; Explorer, Policies, ' +
      'Campaign, Submissions, Review, Threat Tracker unchanged); ' +
      'https://learn.microsoft.com/defender-office-365/tenant-allow-block-list-about (the Tenant ' +
      'Allow/Block List at /tenantAllowBlockList on both portals); ' +
      'https://learn.microsoft.com/defender-office-365/mdo-email-entity-page (an alert opened by its id: ' +
      'protection.office.com/viewalerts?id={id} -> security.microsoft.com/viewalerts?id={id})',
    // Only these pages moved; every other path stays (products.ts: unlisted 'out-of-scope').
    rows: [
      { from: '/', to: '/homepage' },
      { from: '/homepage', to: '/homepage' },
      { from: '/threatmanagement', to: '/homepage' },
      { from: '/threatmanagement/*', to: '/homepage' },
      { from: '/tpdashboard', to: '/homepage' },
      { from: '/alerts', to: '/alertpolicies' },
      { from: '/alertpolicies', to: '/alertpolicies' },
      // The alert notification's link: the alert id in the query, or in the path.
      { from: '/viewalerts', to: '/viewalerts', query: 'keep' },
      { from: '/viewalerts/:id', to: '/viewalerts?id=:id' },
      { from: '/permissions', to: '/emailandcollabpermissions' },
      // "Search -> Audit", with the view the quick reference links.
      { from: '/unifiedauditlog', to: '/auditlogsearch?viewid=Async%20Search' },
      { from: '/auditlogsearch', to: '/auditlogsearch?viewid=Async%20Search' },
      { from: '/reports', to: '/emailandcollabreport' },
      { from: '/reportv2', to: '/emailandcollabreport' },
      { from: '/tenantAllowBlockList', to: '/tenantAllowBlockList', query: 'keep' },
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
      // "No changes to these areas: ... Review": the same page.
      { from: '/review', to: '/review', query: 'keep' },
    ],
  },
  identity: {
    source:
      `${MDI} ("Quick reference for legacy portal users": Timeline -> Alerts/Incidents queue, Alert page ` +
      '-> alert details page, Reports -> Reports > Identities > Report management, Identity page -> user ' +
      'details page, Device page -> device details page, Group page -> groups side pane, Entity ' +
      'activities -> Advanced hunting, Health issues -> Settings > Identities > Health issues, Settings ' +
      '-> Settings > Identities, Users and accounts -> Assets > Identities, Identity security posture -> ' +
      'security posture assessments in Microsoft Secure Score (/securescore), Onboarding -> Settings > ' +
      "Identities, About -> Settings > Identities > About); onboarding tab as Microsoft's deployment " +
      'guide links it: https://learn.microsoft.com/defender-for-identity/deploy/activate-capabilities ' +
      '(/settings/identities?tabid=onboarding)',
    rows: [
      { from: '/', to: '/' },
      { from: '/timeline', to: '/incidents' },
      { from: '/securityalert/:id', to: '/alerts/:id' },
      { from: '/alerts/:id', to: '/alerts/:id' },
      // Health issues, Settings and About are under Settings > Identities; only its address is
      // documented, not the tabs'.
      { from: '/health', to: '/settings/identities' },
      { from: '/healthcenter', to: '/settings/identities' },
      { from: '/configuration', to: '/settings/identities' },
      { from: '/configuration/*', to: '/settings/identities' },
      { from: '/settings', to: '/settings/identities' },
      { from: '/about', to: '/settings/identities' },
      { from: '/onboarding', to: '/settings/identities?tabid=onboarding' },
      { from: '/users', to: '/identities' },
      // Entity pages: the legacy id is the directory object's, the unified pages are keyed by
      // other ids, so the page the profiles open from (Assets > Identities, Assets > Devices).
      { from: '/user/*', to: '/identities' },
      { from: '/group/*', to: '/identities' },
      { from: '/computer/*', to: '/machines' },
      { from: '/device/*', to: '/machines' },
      { from: '/entityactivities', to: '/v2/advanced-hunting' },
      { from: '/securityposture', to: '/securescore' },
      { from: '/identitysecurityposture', to: '/securescore' },
      // "Reports > Identities > Report management": named, no address documented.
      { from: '/reports', to: '/' },
    ],
  },
  cloudapps: {
    source:
      `${MDA} ("Quick reference" tables Discover, Investigate, Control and Settings: Users and accounts -> ` +
      'Assets > Identities, Identity security posture -> security posture assessments, Templates -> ' +
      'Cloud apps > Policy templates, Playbooks, SIEM agents, External DLP, API tokens, IP address ' +
      'ranges, User groups, Scoped deployment and privacy -> Settings > Cloud apps, Admin roles -> ' +
      'Permissions > Cloud apps > Roles, Exported reports -> Reports > Cloud apps, Connected apps / App ' +
      'connectors -> Settings > Cloud apps > Connected apps > App Connectors; Security configuration -> ' +
      'Microsoft Defender for Cloud), the settings tab form from the same page ' +
      "(/cloudapps/settings?tabid=autoRedirection); legacy forms seen in Microsoft's own examples: " +
      'portal.cloudappsecurity.com/#/dashboard, #/alerts/{id}, #/policy/?id=..., #/services/{appId}; ' +
      'unified forms in Defender for Cloud Apps SIEM output: security.microsoft.com/cloudapps/activity-log',
    rows: [
      { from: '/', to: '/cloudapps/dashboard' },
      { from: '/dashboard', to: '/cloudapps/dashboard' },
      { from: '/alerts', to: '/alerts' },
      // The unified alert page is keyed by the Defender XDR alert id; Microsoft documents no way
      // from the classic id to it, so the queue.
      { from: '/alerts/:id', to: '/alerts' },
      { from: '/activity', to: '/cloudapps/activity-log', query: 'keep' },
      { from: '/audits', to: '/cloudapps/activity-log' },
      { from: '/policy', to: '/cloudapps/policies/management' },
      { from: '/policy/*', to: '/cloudapps/policies/management' },
      { from: '/policies', to: '/cloudapps/policies/management' },
      { from: '/templates', to: '/cloudapps/policies/templates' },
      { from: '/discovery', to: '/cloudapps/discovery' },
      { from: '/discovery/*', to: '/cloudapps/discovery' },
      { from: '/catalog', to: '/cloudapps/app-catalog' },
      { from: '/files', to: '/cloudapps/files', query: 'keep' },
      { from: '/governance', to: '/cloudapps/governance-log' },
      { from: '/oauth-apps', to: '/cloudapps/oauth-apps' },
      { from: '/users', to: '/identities' },
      { from: '/accounts', to: '/identities' },
      { from: '/identity-security-posture', to: '/securescore' },
      { from: '/settings', to: '/cloudapps/settings' },
      { from: '/playbooks', to: '/cloudapps/settings' },
      { from: '/siem-agents', to: '/cloudapps/settings?tabid=siemAgents' },
      { from: '/external-dlp', to: '/cloudapps/settings' },
      { from: '/api-tokens', to: '/cloudapps/settings?tabid=apiTokens' },
      { from: '/ip-ranges', to: '/cloudapps/settings?tabid=ipRanges' },
      { from: '/user-groups', to: '/cloudapps/settings' },
      { from: '/scoped-deployment', to: '/cloudapps/settings' },
      { from: '/connected-apps', to: '/cloudapps/settings?tabid=appConnectors' },
      { from: '/app-connectors', to: '/cloudapps/settings?tabid=appConnectors' },
      { from: '/conditional-access-app-control', to: '/cloudapps/settings' },
      { from: '/admin-roles', to: '/cloudapps/permissions/roles' },
      // "Permissions > Cloud apps > Activity privacy permissions": named, no address documented.
      { from: '/activity-privacy', to: '/' },
      // "Reports > Cloud apps > Exported reports": the Reports page (/securityreports).
      { from: '/exported-reports', to: '/securityreports' },
    ],
  },
};
