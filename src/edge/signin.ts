import { decodeJwt, errors as joseErrors, jwtVerify } from 'jose';
import type { ProductId } from '../catalogue/types';
import type { SignInConfig } from '../config/signin';
import { asTenantId } from '../core/tenant';
import { CONSUMER_TENANT, ENTRA_CLOCK_SKEW_SECONDS, entraIssuer } from '../lib/entra';

/**
 * The id_token arrives in the form_post seconds after Entra ID issued it; a token older than
 * this is a replay, not a sign-in.
 */
export const MAX_SIGN_IN_TOKEN_AGE_SECONDS = 10 * 60;

/** Longest nonce taken (ASP.NET's are about 100 characters). */
export const MAX_NONCE_LENGTH = 1024;

/** A sign-in callback's verified id_token: its tenant and its nonce (`null` when unusable). */
export interface VerifiedSignIn {
  tenant: string;
  nonce: string | null;
}

/**
 * The tenant and nonce of a sign-in callback's id_token when it verifies: RS256 against Entra ID's keys,
 * `iss` bound to its own `tid` (v2.0 `https://login.microsoftonline.com/{tid}/v2.0`, v1.0
 * `https://sts.windows.net/{tid}/`, by the token's `ver`), `exp`, a recent `iat` and a `nonce`
 * required, the product's client id (SIGNIN_AUDIENCES) as `aud`, never the consumer tenant.
 * `null` for anything else; the reason goes to the log, never to the client.
 */
export async function verifiedSignIn(
  idToken: string,
  product: ProductId,
  config: SignInConfig,
  now: number,
): Promise<VerifiedSignIn | null> {
  let tid: unknown;
  let ver: unknown;
  try {
    ({ tid, ver } = decodeJwt(idToken));
  } catch {
    return refuse('not a JWT');
  }
  const tenant = asTenantId(typeof tid === 'string' ? tid : null);
  if (tenant === null) return refuse('no tenant id (tid) in the token');
  // A personal Microsoft account signs in to no organisation's portal: never remembered.
  if (tenant === CONSUMER_TENANT) return refuse('personal Microsoft account (consumer tenant)');
  // The issuer names the token's own tid, in the form of the token's version.
  const issuer = entraIssuer(tid as string, ver);
  if (issuer === null) return refuse(`token version ${String(ver)} is not Entra ID's`);
  const audience = config.audiences.get(product) ?? [];
  if (audience.length === 0) return refuse(`SIGNIN_AUDIENCES has no client id for ${product}`);
  try {
    const { payload } = await jwtVerify(idToken, config.keys, {
      algorithms: ['RS256'],
      issuer,
      audience: [...audience],
      requiredClaims: ['exp', 'iat', 'tid', 'nonce'],
      maxTokenAge: MAX_SIGN_IN_TOKEN_AGE_SECONDS,
      clockTolerance: ENTRA_CLOCK_SKEW_SECONDS,
      currentDate: new Date(now),
    });
    const { nonce } = payload;
    const usable =
      typeof nonce === 'string' && nonce.length > 0 && nonce.length <= MAX_NONCE_LENGTH;
    return { tenant, nonce: usable ? nonce : null };
  } catch (error) {
    return refuse(
      error instanceof joseErrors.JOSEError ? `${error.code}: ${error.message}` : String(error),
    );
  }
}

function refuse(why: string): null {
  console.warn(`sign-in id_token not verified: ${why}`);
  return null;
}
