/** Catalogue shapes: the data every decision reads. No logic lives here. */

export const PRODUCT_IDS = ['endpoint', 'office', 'identity', 'cloudapps'] as const;
export type ProductId = (typeof PRODUCT_IDS)[number];

/**
 * A legacy host. `*` stands for exactly one DNS label, so `*.*.portal.cloudappsecurity.com`
 * matches `contoso.eu2.portal.cloudappsecurity.com` and nothing deeper or shallower.
 * `browser` hosts are redirected; `api` hosts are never redirected (their responses may be
 * rewritten, see the SIEM issue).
 */
export interface HostPattern {
  pattern: string;
  kind: 'browser' | 'api';
  /** The host name itself names one tenant (its tenant comes from a `host:` KV record). */
  tenantSpecific?: boolean;
}

/**
 * One deep-link row. `from` and `to` are path patterns: literal segments (matched without regard
 * to case), `:name` for one segment, and a final `*` for the rest of the path. `to` may end in a
 * fixed query (`?viewid=x`, `?id=:id`: a parameter there is the segment, percent-encoded), which
 * Microsoft's page names as part of the target. `query: 'keep'` carries the legacy query string
 * over unchanged (after any fixed query); `'drop'` (the default) leaves it behind.
 */
export interface DeepLinkRow {
  from: string;
  to: string;
  query?: 'keep' | 'drop';
  /** The part of the portal the page belongs to: what the settings page says moves. */
  area: AreaId;
}

/**
 * Parts of the legacy portals, as the settings page names them ("Moves: alerts, incidents, ...;
 * stays: compliance, mail flow"): each deep-link row and each out-of-scope prefix names one, and
 * i18n gives their words.
 */
export const AREA_IDS = [
  'home',
  'alerts',
  'incidents',
  'devices',
  'entities',
  'action-center',
  'hunting',
  'threat-analytics',
  'vulnerabilities',
  'settings',
  'partner-apps',
  'reports',
  'tutorials',
  'configuration',
  'permissions',
  'audit',
  'policies',
  'explorer',
  'quarantine',
  'submissions',
  'identities',
  'secure-score',
  'activity',
  'discovery',
  'files',
  'oauth-apps',
  'service-health',
  'compliance',
  'mail-flow',
  'api',
  'security-configuration',
] as const;
export type AreaId = (typeof AREA_IDS)[number];

/** Pages that stay on the legacy portal: path prefixes, and the part of the portal they are. */
export interface OutOfScope {
  prefix: string;
  area: AreaId;
}

/**
 * A product's move to the unified portal in time. Before `onByDefaultFrom` (or always, when
 * `null`) redirection is opt-in: a tenant that never chose stays. From it, a tenant that never
 * chose is redirected and may turn it off. From `lockedFrom`, everyone is redirected and the
 * choice is gone. Instants are ISO-8601; configuration may move them (PRODUCT_PHASES).
 */
export interface ProductPhases {
  onByDefaultFrom: string | null;
  lockedFrom: string | null;
}

export interface DeepLinkTable {
  /** Where the rows come from: a public page a reader can check. */
  source: string;
  rows: readonly DeepLinkRow[];
}

export interface Product {
  id: ProductId;
  /** The name admins know. */
  name: string;
  hosts: readonly HostPattern[];
  /** When redirection becomes the default, and when it becomes mandatory (model/phases.ts). */
  phases: ProductPhases;
  /** A request carrying any of these cookies belongs to an active legacy session. */
  sessionCookies: readonly string[];
  /** Why these cookie names: the public evidence, or the assumption to override. */
  sessionCookiesSource: string;
  /** OpenID Connect form_post callback: a POST here with an id_token starts a new session. */
  callbackPath: string;
  stickiness: 'session' | 'session-or-new-tab';
  /** Path prefixes that stay on the legacy portal (matched segment-wise, without regard to case). */
  outOfScope: readonly OutOfScope[];
  /**
   * A path no deep-link row knows: `'home'` goes to the unified home (the product moved whole),
   * `'out-of-scope'` stays on the legacy portal (only the listed pages moved).
   */
  unlisted: 'home' | 'out-of-scope';
  /** Legacy links are `/#/...`: the server never sees the route, a small page maps it. */
  hashRouted: boolean;
  deepLinks: DeepLinkTable;
  /**
   * JSON properties of the product's legacy API responses that link to legacy pages: rewritten to
   * the unified portal when redirection is on (the SIEM API's `LinkToWDATP`, ...).
   */
  apiLinkProperties: readonly string[];
  /** Show the "this portal is moving" banner on pages that pass through (settings page issue). */
  banner: boolean;
}
