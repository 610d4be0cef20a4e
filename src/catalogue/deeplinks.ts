import type { DeepLinkTable, ProductId } from './types';

const MDE = 'https://learn.microsoft.com/defender-xdr/microsoft-365-security-center-mde';
const MDO = 'https://learn.microsoft.com/defender-xdr/microsoft-365-security-center-mdo';
const MDI = 'https://learn.microsoft.com/defender-for-identity/microsoft-365-security-center-mdi';
const MDA =
  'https://learn.microsoft.com/defender-xdr/microsoft-365-security-center-defender-cloud-apps';

/**
 * Deep-link tables: where a legacy page lives on the unified portal, from Microsoft's "... in the
 * Microsoft Defender portal" quick-reference pages (each table's `source`). A row whose target
 * Microsoft names but gives no address for goes to the nearest documented address and says so;
 * with none near, to the unified home (`to: '/'`).
 * Endpoint, Identity and Cloud Apps moved whole: a path no row knows goes to the home. Office
 * moved only its security pages: a path no row knows stays on the legacy portal
 * (`unlisted: 'out-of-scope'` in products.ts). docs/decision.md counts the rows per product.
 */
export const DEEP_LINKS: Record<ProductId, DeepLinkTable> = {
  endpoint: {
    source:
      `${MDE} (navigation table: Dashboards -> Home, Alerts queue -> Incidents & alerts, Automated ` +
      'investigations -> Action center, Reports -> Reports, Evaluation and tutorials and Configuration ' +
      'management -> Endpoints, Service health -> Microsoft 365 admin center; Search -> the search ' +
      'bar, device search from Endpoints > Search), ' +
      'https://learn.microsoft.com/defender-endpoint/configure-siem (SIEM example: ' +
      'securitycenter.windows.com/alert/{id} -> security.microsoft.com/alert/{id}; ' +
      '/incidents/byalert?alertId={id}&source=SIEM unchanged), ' +
      'https://learn.microsoft.com/defender-endpoint/api-portal-mapping (IncidentLinkToWDATP, once ' +
      'securitycenter.windows.com/preferences2/integration/incidents/byalert?alertId={id}&source=SIEM; ' +
      'IncidentLinkToMTP security.microsoft.com/incidents/byalert?alertId={id}&source=SIEM), ' +
      'https://learn.microsoft.com/defender-endpoint/advanced-features (Settings > Endpoints > ' +
      'Advanced features at security.microsoft.com/preferences2/integration) and ' +
      'https://learn.microsoft.com/defender-endpoint/configure-real-time-protection-microsoft-defender-antivirus ' +
      '(Endpoints > Configuration management > Endpoint security policies at ' +
      'security.microsoft.com/policy-inventory)',
    // The unified portal serves the Defender for Endpoint pages at the same paths: keep shape.
    rows: [
      { from: '/', to: '/', query: 'keep', area: 'home' }, // MSSP form /?tid={tid}
      { from: '/dashboard', to: '/', query: 'keep', area: 'home' }, // "Dashboards -> Home"
      { from: '/alert/:id', to: '/alert/:id', query: 'keep', area: 'alerts' },
      { from: '/alert/:id/*', to: '/alert/:id/*', query: 'keep', area: 'alerts' },
      { from: '/alerts', to: '/alerts', query: 'keep', area: 'alerts' },
      { from: '/alerts/*', to: '/alerts/*', query: 'keep', area: 'alerts' },
      { from: '/alertsqueue', to: '/alerts', query: 'keep', area: 'alerts' }, // "Alerts queue -> Incidents & alerts"
      { from: '/incident/:id', to: '/incident/:id', query: 'keep', area: 'incidents' },
      { from: '/incident/:id/*', to: '/incident/:id/*', query: 'keep', area: 'incidents' },
      { from: '/incidents', to: '/incidents', query: 'keep', area: 'incidents' },
      { from: '/incidents/*', to: '/incidents/*', query: 'keep', area: 'incidents' },
      { from: '/machines', to: '/machines', query: 'keep', area: 'devices' },
      { from: '/machines/*', to: '/machines/*', query: 'keep', area: 'devices' },
      { from: '/machine/*', to: '/machines/*', query: 'keep', area: 'devices' },
      { from: '/file/*', to: '/file/*', query: 'keep', area: 'entities' },
      { from: '/files/*', to: '/files/*', query: 'keep', area: 'entities' },
      { from: '/url/*', to: '/url/*', query: 'keep', area: 'entities' },
      { from: '/urls/*', to: '/urls/*', query: 'keep', area: 'entities' },
      { from: '/ip/*', to: '/ip/*', query: 'keep', area: 'entities' },
      { from: '/ips/*', to: '/ips/*', query: 'keep', area: 'entities' },
      { from: '/user/*', to: '/user/*', query: 'keep', area: 'entities' },
      { from: '/users/*', to: '/users/*', query: 'keep', area: 'entities' },
      { from: '/investigation/*', to: '/investigation/*', query: 'keep', area: 'action-center' },
      // "Automated investigations -> Action center".
      { from: '/investigations', to: '/action-center', area: 'action-center' },
      { from: '/action-center', to: '/action-center', query: 'keep', area: 'action-center' },
      { from: '/action-center/*', to: '/action-center/*', query: 'keep', area: 'action-center' },
      { from: '/advanced-hunting', to: '/v2/advanced-hunting', query: 'keep', area: 'hunting' },
      {
        from: '/threatanalytics3',
        to: '/threatanalytics3',
        query: 'keep',
        area: 'threat-analytics',
      },
      {
        from: '/threatanalytics3/*',
        to: '/threatanalytics3/*',
        query: 'keep',
        area: 'threat-analytics',
      },
      { from: '/tvm_dashboard', to: '/tvm_dashboard', query: 'keep', area: 'vulnerabilities' },
      // The SIEM API's earlier IncidentLinkToWDATP form: the incident page, as IncidentLinkToMTP
      // links it. Before `/preferences2/*`, which would keep its path.
      {
        from: '/preferences2/integration/incidents/byalert',
        to: '/incidents/byalert',
        query: 'keep',
        area: 'incidents',
      },
      // "Settings -> Settings > Endpoints": no address for its root is documented; its Advanced
      // features page is (/preferences2/integration).
      { from: '/preferences2', to: '/preferences2/integration', area: 'settings' },
      { from: '/preferences2/*', to: '/preferences2/*', query: 'keep', area: 'settings' },
      {
        from: '/interoperability/*',
        to: '/interoperability/*',
        query: 'keep',
        area: 'partner-apps',
      },
      // "Reports -> Reports": the Reports page Microsoft's docs link as /securityreports.
      { from: '/reports', to: '/securityreports', area: 'reports' },
      // "Evaluation and tutorials": Microsoft's docs link the page as /tutorials/all.
      { from: '/evaluation', to: '/tutorials/all', area: 'tutorials' },
      { from: '/tutorials', to: '/tutorials/all', area: 'tutorials' },
      { from: '/tutorials/*', to: '/tutorials/all', area: 'tutorials' },
      // "Configuration management -> Endpoints > Configuration management": its Dashboard has no
      // documented address; its Endpoint security policies page has (/policy-inventory).
      { from: '/configuration-management', to: '/policy-inventory', area: 'configuration' },
      // "Search -> the search bar at the top of every page", no address; its device search
      // ("Endpoints > Search") lists in Assets > Devices.
      { from: '/search', to: '/machines', area: 'devices' },
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
      'protection.office.com/viewalerts?id={id} -> security.microsoft.com/viewalerts?id={id}); ' +
      'https://learn.microsoft.com/defender-office-365/reports-email-security (earlier version: "To go ' +
      'directly to the Reports dashboard, open https://protection.office.com/insightdashboard")',
    // Only these pages moved; every other path stays (products.ts: unlisted 'out-of-scope').
    rows: [
      { from: '/', to: '/homepage', area: 'home' },
      { from: '/homepage', to: '/homepage', area: 'home' },
      { from: '/threatmanagement', to: '/homepage', area: 'home' },
      { from: '/threatmanagement/*', to: '/homepage', area: 'home' },
      { from: '/tpdashboard', to: '/homepage', area: 'home' },
      { from: '/alerts', to: '/alertpolicies', area: 'alerts' },
      { from: '/alertpolicies', to: '/alertpolicies', area: 'alerts' },
      // The alert notification's link: the alert id in the query, or in the path.
      { from: '/viewalerts', to: '/viewalerts', query: 'keep', area: 'alerts' },
      { from: '/viewalerts/:id', to: '/viewalerts?id=:id', area: 'alerts' },
      { from: '/permissions', to: '/emailandcollabpermissions', area: 'permissions' },
      // "Search -> Audit", with the view the quick reference links.
      { from: '/unifiedauditlog', to: '/auditlogsearch?viewid=Async%20Search', area: 'audit' },
      { from: '/auditlogsearch', to: '/auditlogsearch?viewid=Async%20Search', area: 'audit' },
      { from: '/reports', to: '/emailandcollabreport', area: 'reports' },
      { from: '/reportv2', to: '/emailandcollabreport', area: 'reports' },
      // Reports > Dashboard of the Security & Compliance Center: "Reports -> Report".
      { from: '/insightdashboard', to: '/emailandcollabreport', area: 'reports' },
      {
        from: '/tenantAllowBlockList',
        to: '/tenantAllowBlockList',
        query: 'keep',
        area: 'policies',
      },
      // Security pages that kept their path.
      { from: '/antiphishing', to: '/antiphishing', query: 'keep', area: 'policies' },
      { from: '/antispam', to: '/antispam', query: 'keep', area: 'policies' },
      { from: '/antimalwarev2', to: '/antimalwarev2', query: 'keep', area: 'policies' },
      { from: '/safelinksv2', to: '/safelinksv2', query: 'keep', area: 'policies' },
      { from: '/safeattachmentv2', to: '/safeattachmentv2', query: 'keep', area: 'policies' },
      { from: '/threatpolicy', to: '/threatpolicy', query: 'keep', area: 'policies' },
      { from: '/threatexplorer', to: '/threatexplorer', query: 'keep', area: 'explorer' },
      { from: '/quarantine', to: '/quarantine', query: 'keep', area: 'quarantine' },
      { from: '/restrictedusers', to: '/restrictedusers', query: 'keep', area: 'quarantine' },
      { from: '/campaigns', to: '/campaigns', query: 'keep', area: 'explorer' },
      { from: '/threattracker', to: '/threattrackerv2', query: 'keep', area: 'explorer' },
      { from: '/submissions', to: '/reportsubmission', query: 'keep', area: 'submissions' },
      { from: '/reportsubmission', to: '/reportsubmission', query: 'keep', area: 'submissions' },
      // "No changes to these areas: ... Review": the same page.
      { from: '/review', to: '/review', query: 'keep', area: 'submissions' },
    ],
  },
  identity: {
    source:
      `${MDI} ("Quick reference for legacy portal users": Timeline -> Alerts/Incidents queue, Alert page ` +
      '-> alert details page, Reports -> Reports > Identities > Report management, Search -> global ' +
      'search (its All users list: Assets > Identities), Identity page -> user ' +
      'details page, Device page -> device details page, Group page -> groups side pane, Entity ' +
      'activities -> Advanced hunting, Health issues -> Identities > Health issues (now also reached from ' +
      'Settings > Identities > Deployment), Settings ' +
      '-> Settings > Identities, Users and accounts -> Assets > Identities, Identity security posture -> ' +
      'security posture assessments in Microsoft Secure Score (/securescore), Onboarding -> Settings > ' +
      "Identities, About -> Settings > Identities > About); onboarding tab as Microsoft's deployment " +
      'guide links it: https://learn.microsoft.com/defender-for-identity/deploy/activate-capabilities ' +
      '(/settings/identities?tabid=onboarding); the Reports page as the Endpoint table cites it ' +
      '(/securityreports)',
    rows: [
      { from: '/', to: '/', area: 'home' },
      { from: '/timeline', to: '/incidents', area: 'incidents' },
      { from: '/securityalert/:id', to: '/alerts/:id', area: 'alerts' },
      { from: '/alerts/:id', to: '/alerts/:id', area: 'alerts' },
      // "Health issues -> Identities > Health issues": no address on a Microsoft page; the
      // portal's, as public tooling links it (docs/decision.md).
      { from: '/health', to: '/identities/health-issues', area: 'settings' },
      { from: '/healthcenter', to: '/identities/health-issues', area: 'settings' },
      // Settings and About are under Settings > Identities; About's tab id is the portal's, in the
      // form of the documented onboarding tab.
      { from: '/configuration', to: '/settings/identities', area: 'settings' },
      { from: '/configuration/*', to: '/settings/identities', area: 'settings' },
      { from: '/settings', to: '/settings/identities', area: 'settings' },
      { from: '/about', to: '/settings/identities?tabid=about', area: 'settings' },
      { from: '/onboarding', to: '/settings/identities?tabid=onboarding', area: 'settings' },
      { from: '/users', to: '/identities', area: 'identities' },
      // Entity pages: the legacy id is the directory object's, the unified pages are keyed by
      // other ids, so the page the profiles open from (Assets > Identities, Assets > Devices).
      { from: '/user/*', to: '/identities', area: 'identities' },
      { from: '/group/*', to: '/identities', area: 'identities' },
      { from: '/computer/*', to: '/machines', area: 'devices' },
      { from: '/device/*', to: '/machines', area: 'devices' },
      { from: '/entityactivities', to: '/v2/advanced-hunting', area: 'hunting' },
      { from: '/securityposture', to: '/securescore', area: 'secure-score' },
      { from: '/identitysecurityposture', to: '/securescore', area: 'secure-score' },
      // "Reports > Identities > Report management": no address documented; the Reports page.
      { from: '/reports', to: '/securityreports', area: 'reports' },
      // "Search -> global search", no address; its All users list is Assets > Identities.
      { from: '/search', to: '/identities', area: 'identities' },
    ],
  },
  cloudapps: {
    source:
      `${MDA} ("Quick reference" tables Discover, Investigate, Control and Settings: Users and accounts -> ` +
      'Assets > Identities, Identity security posture -> security posture assessments, Templates -> ' +
      'Cloud apps > Policy templates, Playbooks, SIEM agents, External DLP, API tokens, IP address ' +
      'ranges, User groups, Scoped deployment and privacy -> Settings > Cloud apps, Admin roles -> ' +
      'Permissions > Cloud apps > Roles, Exported reports -> Reports > Cloud apps, Connected apps / App ' +
      'connectors -> Settings > Cloud apps > Connected apps > App Connectors, OAuth apps -> Cloud apps > ' +
      'OAuth apps, Discovered apps and the other views -> tabs on the Cloud Discovery page; Security configuration -> ' +
      'Microsoft Defender for Cloud), the settings tab form from the same page ' +
      "(/cloudapps/settings?tabid=autoRedirection); legacy forms seen in Microsoft's own examples: " +
      'portal.cloudappsecurity.com/#/dashboard, #/alerts/{id}, #/policy/?id=..., #/services/{appId}; ' +
      'unified forms in Defender for Cloud Apps SIEM output: security.microsoft.com/cloudapps/activity-log',
    rows: [
      { from: '/', to: '/cloudapps/dashboard', area: 'home' },
      { from: '/dashboard', to: '/cloudapps/dashboard', area: 'home' },
      { from: '/alerts', to: '/alerts', area: 'alerts' },
      // The unified alert page is keyed by the Defender XDR alert id; Microsoft documents no way
      // from the classic id to it, so the queue.
      { from: '/alerts/:id', to: '/alerts', area: 'alerts' },
      { from: '/activity', to: '/cloudapps/activity-log', query: 'keep', area: 'activity' },
      { from: '/audits', to: '/cloudapps/activity-log', area: 'activity' },
      { from: '/policy', to: '/cloudapps/policies/management', area: 'policies' },
      { from: '/policy/*', to: '/cloudapps/policies/management', area: 'policies' },
      { from: '/policies', to: '/cloudapps/policies/management', area: 'policies' },
      { from: '/templates', to: '/cloudapps/policies/templates', area: 'policies' },
      // The views are tabs on the Cloud Discovery page, no address documented for each: the
      // classic `?tab=` goes along.
      { from: '/discovery', to: '/cloudapps/discovery', query: 'keep', area: 'discovery' },
      { from: '/discovery/*', to: '/cloudapps/discovery', query: 'keep', area: 'discovery' },
      { from: '/catalog', to: '/cloudapps/app-catalog', area: 'discovery' },
      // An app's page (#/services/{appId}): no unified address for it is documented; the catalog
      // it opens from.
      { from: '/services/*', to: '/cloudapps/app-catalog', area: 'discovery' },
      { from: '/files', to: '/cloudapps/files', query: 'keep', area: 'files' },
      { from: '/governance', to: '/cloudapps/governance-log', area: 'activity' },
      { from: '/oauth-apps', to: '/cloudapps/oauth-apps', area: 'oauth-apps' },
      // The classic portal's OAuth apps page.
      { from: '/app-permissions', to: '/cloudapps/oauth-apps', area: 'oauth-apps' },
      { from: '/users', to: '/identities', area: 'identities' },
      { from: '/accounts', to: '/identities', area: 'identities' },
      { from: '/identity-security-posture', to: '/securescore', area: 'secure-score' },
      { from: '/settings', to: '/cloudapps/settings', area: 'settings' },
      { from: '/playbooks', to: '/cloudapps/settings', area: 'settings' },
      { from: '/siem-agents', to: '/cloudapps/settings?tabid=siemAgents', area: 'settings' },
      { from: '/external-dlp', to: '/cloudapps/settings', area: 'settings' },
      { from: '/api-tokens', to: '/cloudapps/settings?tabid=apiTokens', area: 'settings' },
      { from: '/ip-ranges', to: '/cloudapps/settings?tabid=ipRanges', area: 'settings' },
      { from: '/user-groups', to: '/cloudapps/settings', area: 'settings' },
      { from: '/scoped-deployment', to: '/cloudapps/settings', area: 'settings' },
      { from: '/connected-apps', to: '/cloudapps/settings?tabid=appConnectors', area: 'settings' },
      { from: '/app-connectors', to: '/cloudapps/settings?tabid=appConnectors', area: 'settings' },
      { from: '/conditional-access-app-control', to: '/cloudapps/settings', area: 'settings' },
      { from: '/admin-roles', to: '/cloudapps/permissions/roles', area: 'permissions' },
      // "Permissions > Cloud apps > Activity privacy permissions": named, no address documented.
      { from: '/activity-privacy', to: '/', area: 'permissions' },
      // "Reports > Cloud apps > Exported reports": the Reports page (/securityreports).
      { from: '/exported-reports', to: '/securityreports', area: 'reports' },
    ],
  },
};
