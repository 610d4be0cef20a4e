/**
 * Reason codes sent in `X-Redirect-Reason`. A contract: operators and tests rely on these exact
 * strings. Documented in README.md ("The decision").
 */
export const REASONS = [
  'unknown-host',
  'signed-in',
  // The sign-in callback's id_token did not verify: no cookie, nothing decided.
  'sign-in-unverified',
  // The id_token verified, but this browser did not start that sign-in (no trip the edge saw
  // begin, another nonce, a trip already used): nothing set, nothing decided.
  'sign-in-unbound',
  'not-navigation',
  'out-of-scope',
  'session-sticky',
  'unknown-tenant',
  'toggle-on',
  'default-on',
  'toggle-off',
  'default-off',
  // Observe mode: the decision as if on was a redirect; the request passed as if off.
  'observe-would-redirect',
  'locked',
  'store-unavailable',
  'loop-guard',
  'api-host',
  // Legacy API hosts (SIEM): the request always passes; these say what happened to the links.
  'links-rewritten',
  'not-json',
  'error-response',
  'unsupported-encoding',
] as const;

export type Reason = (typeof REASONS)[number];
