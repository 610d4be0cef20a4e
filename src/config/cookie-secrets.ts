/**
 * The secret the edge signs its own cookies with (`core/minted.ts`): COOKIE_SIGNING_SECRET, a
 * Worker secret (`wrangler secret put`), and while rotating, the one before it in
 * COOKIE_SIGNING_SECRET_PREVIOUS (still accepted, never used to sign).
 */

/** At least 256 bits: a secret shorter than 32 characters is refused. */
export const MIN_COOKIE_SECRET_LENGTH = 32;

/**
 * The secrets to verify with, the signing one first; empty (with the problem noted) when
 * COOKIE_SIGNING_SECRET is missing or too short: then the edge mints no cookie and trusts none,
 * so no tenant is remembered, no sign-in decides and the hash page's hop never skips stickiness.
 */
export function parseCookieSecrets(
  env: { COOKIE_SIGNING_SECRET?: string; COOKIE_SIGNING_SECRET_PREVIOUS?: string },
  problems: string[],
): readonly string[] {
  const current = env.COOKIE_SIGNING_SECRET?.trim() ?? '';
  if (current.length < MIN_COOKIE_SECRET_LENGTH) {
    problems.push(
      current === ''
        ? 'COOKIE_SIGNING_SECRET is not set: the edge remembers no tenant and no sign-in decides'
        : `COOKIE_SIGNING_SECRET is shorter than ${MIN_COOKIE_SECRET_LENGTH} characters: the edge remembers no tenant and no sign-in decides`,
    );
    return [];
  }
  const previous = env.COOKIE_SIGNING_SECRET_PREVIOUS?.trim() ?? '';
  if (previous === '') return [current];
  if (previous.length < MIN_COOKIE_SECRET_LENGTH) {
    problems.push(
      `COOKIE_SIGNING_SECRET_PREVIOUS is shorter than ${MIN_COOKIE_SECRET_LENGTH} characters: ignored`,
    );
    return [current];
  }
  return [current, previous];
}
