import { DEEP_LINKS } from './deeplinks';
import { MICROSOFT_PHASES, OPT_IN } from './phases';
import type { Product, ProductId } from './types';

export type { Product, ProductId } from './types';
export { PRODUCT_IDS } from './types';

const SIGN_IN_CALLBACK = '/signin-oidc';

/**
 * The catalogue, in the order admins see the products. Data only: adding a host, a cookie or a
 * deep link is an edit here, not a new branch in the decision code.
 */
export const PRODUCTS: readonly Product[] = [
  {
    id: 'endpoint',
    name: 'Microsoft Defender for Endpoint',
    hosts: [
      { pattern: 'securitycenter.windows.com', kind: 'browser' },
      { pattern: 'securitycenter.microsoft.com', kind: 'browser' },
      // Legacy SIEM API hosts: never redirected, see the SIEM link rewriting.
      { pattern: 'wdatp-alertexporter-us.windows.com', kind: 'api' },
      { pattern: 'wdatp-alertexporter-eu.windows.com', kind: 'api' },
      { pattern: 'wdatp-alertexporter-uk.windows.com', kind: 'api' },
    ],
    phases: OPT_IN,
    sessionCookies: ['sccauth', 'sccauthC1'],
    sessionCookiesSource:
      'The Microsoft security portals keep their signed-in session in the `sccauth` cookie, split into ' +
      '`sccauthC1`..`sccauthCN` when large (seen in public portal-automation tooling that replays these ' +
      'cookies). Override with SESSION_COOKIES if an origin uses other names.',
    callbackPath: SIGN_IN_CALLBACK,
    stickiness: 'session',
    // "Service health" lives in the Microsoft 365 admin center, not the unified portal
    // (learn.microsoft.com/defender-xdr/microsoft-365-security-center-mde).
    outOfScope: [
      { prefix: '/serviceHealth', area: 'service-health' },
      { prefix: '/service-health', area: 'service-health' },
    ],
    unlisted: 'home',
    hashRouted: false,
    deepLinks: DEEP_LINKS.endpoint,
    // Alert and incident links of the SIEM API (learn.microsoft.com/defender-endpoint/pull-alerts-using-rest-api);
    // LinkToMTP and IncidentLinkToMTP already point at the unified portal and are left alone.
    apiLinkProperties: ['LinkToWDATP', 'IncidentLinkToWDATP'],
    banner: true,
  },
  {
    id: 'office',
    name: 'Microsoft Defender for Office 365',
    hosts: [{ pattern: 'protection.office.com', kind: 'browser' }],
    phases: MICROSOFT_PHASES.office,
    sessionCookies: ['sccauth', 'sccauthC1'],
    sessionCookiesSource:
      'The Security & Compliance Center is the origin of the `sccauth` session cookie (SCC = Security & ' +
      'Compliance); chunked as `sccauthC1`.. when large. Override with SESSION_COOKIES.',
    callbackPath: SIGN_IN_CALLBACK,
    stickiness: 'session',
    // Compliance items and mail flow stay where they are (quick reference table of
    // learn.microsoft.com/defender-xdr/microsoft-365-security-center-mdo).
    outOfScope: [
      { prefix: '/classification', area: 'compliance' },
      { prefix: '/sensitivity', area: 'compliance' },
      { prefix: '/labels', area: 'compliance' },
      { prefix: '/datalossprevention', area: 'compliance' },
      { prefix: '/dlp', area: 'compliance' },
      { prefix: '/recordsmanagement', area: 'compliance' },
      { prefix: '/retention', area: 'compliance' },
      { prefix: '/informationgovernance', area: 'compliance' },
      { prefix: '/insightsv2', area: 'compliance' },
      { prefix: '/dataprivacy', area: 'compliance' },
      { prefix: '/gdpr', area: 'compliance' },
      { prefix: '/serviceassurance', area: 'compliance' },
      { prefix: '/supervision', area: 'compliance' },
      { prefix: '/ediscovery', area: 'compliance' },
      { prefix: '/ediscoveryv2', area: 'compliance' },
      { prefix: '/advancedediscovery', area: 'compliance' },
      { prefix: '/contentsearch', area: 'compliance' },
      { prefix: '/contentsearchv2', area: 'compliance' },
      { prefix: '/mailflow', area: 'mail-flow' },
      { prefix: '/messagetrace', area: 'mail-flow' },
      { prefix: '/connectors', area: 'mail-flow' },
    ],
    // Only the security pages moved (threat management, alerts, dashboard and reports): any
    // other path, compliance or "serves both", stays on the Security & Compliance Center.
    unlisted: 'out-of-scope',
    hashRouted: true,
    deepLinks: DEEP_LINKS.office,
    apiLinkProperties: [],
    banner: true,
  },
  {
    id: 'identity',
    name: 'Microsoft Defender for Identity',
    hosts: [
      { pattern: 'portal.atp.azure.com', kind: 'browser' },
      { pattern: '*.atp.azure.com', kind: 'browser', tenantSpecific: true },
    ],
    phases: OPT_IN,
    sessionCookies: ['.AspNetCore.Cookies', '.AspNetCore.CookiesC1'],
    sessionCookiesSource:
      'Assumption: the classic Defender for Identity portal is an ASP.NET Core app using the cookie ' +
      "authentication handler's default cookie `.AspNetCore.Cookies` (chunked as `...C1` when large, per " +
      "ASP.NET Core's ChunkingCookieManager). No public page names it; override with SESSION_COOKIES.",
    callbackPath: SIGN_IN_CALLBACK,
    stickiness: 'session',
    outOfScope: [],
    unlisted: 'home',
    hashRouted: false,
    deepLinks: DEEP_LINKS.identity,
    apiLinkProperties: [],
    banner: true,
  },
  {
    id: 'cloudapps',
    name: 'Microsoft Defender for Cloud Apps',
    hosts: [
      { pattern: 'portal.cloudappsecurity.com', kind: 'browser' },
      { pattern: '*.portal.cloudappsecurity.com', kind: 'browser', tenantSpecific: true },
      { pattern: '*.*.portal.cloudappsecurity.com', kind: 'browser', tenantSpecific: true },
    ],
    phases: OPT_IN,
    sessionCookies: ['sessionid'],
    sessionCookiesSource:
      'Assumption: the Cloud App Security portal is a Django application (its API takes ' +
      '`Authorization: Token ...` as Django REST framework does), whose session cookie is `sessionid` by ' +
      'default. Override with SESSION_COOKIES.',
    callbackPath: SIGN_IN_CALLBACK,
    // A new tab (Sec-Fetch-Site none/cross-site) moves the user even with a session.
    stickiness: 'session-or-new-tab',
    // The API, and "Security configuration", which moved to Microsoft Defender for Cloud
    // (learn.microsoft.com/defender-xdr/microsoft-365-security-center-defender-cloud-apps).
    outOfScope: [
      { prefix: '/api', area: 'api' },
      { prefix: '/security-configuration', area: 'security-configuration' },
    ],
    unlisted: 'home',
    hashRouted: true,
    deepLinks: DEEP_LINKS.cloudapps,
    apiLinkProperties: [],
    banner: true,
  },
];

/** Look a product up by id; `undefined` for anything not in the catalogue. */
export function productById(
  id: string,
  products: readonly Product[] = PRODUCTS,
): Product | undefined {
  return products.find((p) => p.id === id);
}

export function isProductId(id: string): id is ProductId {
  return PRODUCTS.some((p) => p.id === id);
}
