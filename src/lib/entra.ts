/**
 * What this Worker knows of Entra ID (global cloud), in one place: the admin side's access
 * tokens (auth/tokens.ts) and the legacy portals' sign-ins (edge/signin.ts, config/signin.ts)
 * are checked by the same rules.
 */

/** Entra ID's clock and ours may differ by this much (`exp`, `nbf`, `iat`). */
export const ENTRA_CLOCK_SKEW_SECONDS = 300;

/** Entra ID's common key set: every tenant's tokens are signed with these keys. */
export const ENTRA_JWKS_URL = 'https://login.microsoftonline.com/common/discovery/v2.0/keys';

/** A remote key set is refetched for an unknown `kid` at most this often (keys rotate rarely). */
export const JWKS_REFETCH_COOLDOWN_MS = 30_000;
/** A remote key set is refetched at least this often. */
export const JWKS_CACHE_MAX_AGE_MS = 24 * 60 * 60 * 1000;

/** Entra ID's sign-in hosts: login.microsoftonline.com and its aliases. */
export const ENTRA_AUTHORITIES: readonly string[] = [
  'https://login.microsoftonline.com',
  'https://login.microsoft.com',
  'https://login.windows.net',
];

/** Personal Microsoft accounts' tenant: its users administer no organisation, and sign in to none. */
export const CONSUMER_TENANT = '9188040d-6c67-4c5b-b112-36a304b66dad';

/**
 * The issuer a token of tenant `tid` must name, by its version (`ver`): v2.0 tokens
 * `https://login.microsoftonline.com/{tid}/v2.0`, v1.0 tokens `https://sts.windows.net/{tid}/`.
 * `null` for any other version: a token mixing the two forms is not one Entra ID issued.
 * `tid` is spelled as the token spells it.
 */
export function entraIssuer(tid: string, ver: unknown): string | null {
  if (ver === '2.0') return `https://login.microsoftonline.com/${tid}/v2.0`;
  if (ver === '1.0') return `https://sts.windows.net/${tid}/`;
  return null;
}
