/**
 * Every reason code the edge sends in `X-Redirect-Reason`, and what each means for the parts
 * that act on it: the report's counting, the banner, a shared cache, the hash page. The codes
 * are a contract (operators and tests rely on the exact strings); the table is the one place a
 * reason's consequences are decided. docs/decision.md shows it (`npm run docs:reasons` prints
 * it; a test keeps the two equal).
 */
export interface ReasonMeaning {
  /** One line for the docs. */
  means: string;
  /**
   * How the migration report takes a decision with this reason: not at all (`no`: not a legacy
   * navigation a tenant's users made), in the totals only (`total`), in the totals and named in
   * the passed navigations (`named`), or named and also counted as observed (`observed`).
   */
  report: 'no' | 'total' | 'named' | 'observed';
  /**
   * Whether a passed page gets the "this portal is moving" banner: `yes`, `if-off` (only when the
   * tenant's own setting, read again, is off), `no`.
   */
  banner: 'yes' | 'if-off' | 'no';
  /**
   * What a decision naming its tenant says of that tenant's stored setting for the product
   * (the report counts only tenants that have one): `yes`, `no` (its default applied), or
   * `unknown` (the decision did not read it).
   */
  stored: 'yes' | 'no' | 'unknown';
  /**
   * What a pass was decided on, so which caches may keep it: `browser` (cookies, Fetch Metadata
   * or the tenant's state: never a shared cache), `fetch-metadata` (varies on Sec-Fetch-Mode
   * only), `url` (the same for every browser).
   */
  varies: 'browser' | 'fetch-metadata' | 'url';
  /**
   * At a hash-routed root, whether a sign-in may still move the browser, so the hash page is worth
   * a round trip to learn the route before the sign-in starts.
   */
  signInMayMove: boolean;
}

const r = (
  means: string,
  report: ReasonMeaning['report'],
  banner: ReasonMeaning['banner'],
  stored: ReasonMeaning['stored'],
  varies: ReasonMeaning['varies'],
  signInMayMove = false,
): ReasonMeaning => ({ means, report, banner, stored, varies, signInMayMove });

/** The reasons, in the order of the decision's steps (README "The decision"). */
export const REASON_TABLE = {
  'unknown-host': r('the host is no legacy host of the catalogue', 'no', 'no', 'unknown', 'url'),
  'signed-in': r(
    'a sign-in this browser started completed; redirection is on',
    'total',
    'no',
    'unknown',
    'browser',
  ),
  'sign-in-unverified': r(
    "the sign-in callback's id_token did not verify: nothing set, nothing decided",
    'no',
    'no',
    'unknown',
    'browser',
  ),
  'sign-in-unbound': r(
    'the id_token verified, but this browser did not start that sign-in: nothing set',
    'no',
    'no',
    'unknown',
    'browser',
  ),
  'not-navigation': r(
    "not a top-level navigation (the portal's own requests)",
    'no',
    'no',
    'unknown',
    'fetch-metadata',
  ),
  'out-of-scope': r('a page that stays on the legacy portal', 'named', 'no', 'unknown', 'url'),
  'session-sticky': r(
    'a signed-in legacy session: never ejected, moves at its next sign-in',
    'named',
    'if-off',
    'unknown',
    'browser',
    true,
  ),
  'unknown-tenant': r(
    'no tenant known for this browser or link',
    'named',
    'no',
    'unknown',
    'browser',
    true,
  ),
  'toggle-on': r('the tenant turned redirection on', 'total', 'no', 'yes', 'browser'),
  'default-on': r(
    "the tenant never chose; the product's default is on",
    'total',
    'no',
    'no',
    'browser',
  ),
  'toggle-off': r('the tenant turned redirection off', 'named', 'yes', 'yes', 'browser'),
  'default-off': r(
    "the tenant never chose; the product's default is off",
    'named',
    'yes',
    'no',
    'browser',
  ),
  'observe-would-redirect': r(
    'observe mode: on would have redirected; passed as off',
    'observed',
    'no',
    'yes',
    'browser',
  ),
  locked: r('redirection is mandatory for the product', 'total', 'no', 'unknown', 'browser'),
  'store-unavailable': r(
    "the tenant's state could not be read: the last value seen, else the default",
    'named',
    'no',
    'unknown',
    'browser',
    true,
  ),
  'loop-guard': r(
    'UNIFIED_ORIGIN is unusable: nothing redirects',
    'total',
    'no',
    'unknown',
    'browser',
  ),
  'api-host': r('a legacy SIEM API host: never redirected', 'no', 'no', 'unknown', 'url'),
  'links-rewritten': r(
    "a SIEM answer whose legacy links were rewritten (the tenant's redirection is on)",
    'no',
    'no',
    'unknown',
    'url',
  ),
  'not-json': r('a SIEM answer that is not JSON: passed as it is', 'no', 'no', 'unknown', 'url'),
  'error-response': r(
    'a SIEM answer that is not a success: passed as it is',
    'no',
    'no',
    'unknown',
    'url',
  ),
  'unsupported-encoding': r(
    'a SIEM answer in an encoding the edge does not read: passed as it is',
    'no',
    'no',
    'unknown',
    'url',
  ),
} as const satisfies Record<string, ReasonMeaning>;

export type Reason = keyof typeof REASON_TABLE;

/** Every reason code, in the table's order. */
export const REASONS = Object.keys(REASON_TABLE) as readonly Reason[];

/** The table as a Map: every request asks it (the counter, the cache headers), by a key. */
const MEANINGS: ReadonlyMap<Reason, ReasonMeaning> = new Map(
  Object.entries(REASON_TABLE) as [Reason, ReasonMeaning][],
);

/** What a reason means. */
export function meaningOf(reason: Reason): ReasonMeaning {
  return MEANINGS.get(reason) as ReasonMeaning;
}

/** Reasons the report names among passed navigations, in the table's order. */
export const NAMED_PASS_REASONS = REASONS.filter((reason): reason is NamedPassReason => {
  const { report } = REASON_TABLE[reason];
  return report === 'named' || report === 'observed';
});

/** A reason code from text (a stored count) that the report counts as observed. */
export function isObservedReason(value: unknown): boolean {
  return isReason(value) && meaningOf(value).report === 'observed';
}

/** A reason code from text (a stored count, a query): only the table's own keys. */
export function isReason(value: unknown): value is Reason {
  return typeof value === 'string' && Object.hasOwn(REASON_TABLE, value);
}

/** The reasons the report names among passed navigations: each needs its words (i18n). */
export type NamedPassReason = {
  [K in Reason]: (typeof REASON_TABLE)[K]['report'] extends 'named' | 'observed' ? K : never;
}[Reason];
