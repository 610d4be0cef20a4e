import type { JWTVerifyGetKey } from 'jose';
import { createLocalJWKSet, createRemoteJWKSet, errors as joseErrors, jwtVerify } from 'jose';
import { rolesOf } from '../catalogue/roles';
import type { AuthConfig, KeySource } from '../config';
import { asTenantId } from '../core/tenant';
import { AppError } from '../errors';
import {
  CONSUMER_TENANT,
  ENTRA_CLOCK_SKEW_SECONDS,
  entraIssuer,
  JWKS_CACHE_MAX_AGE_MS,
  JWKS_REFETCH_COOLDOWN_MS,
} from '../lib/entra';
import type { Principal } from '../settings/principal';

// Entra access tokens live 60-90 minutes, continuous-access-evaluation ones up to 28 hours: an
// older `iat` is a token that should have been refreshed long ago.
const MAX_TOKEN_AGE_SECONDS = 28 * 60 * 60;

// Key sets cached per isolate, by the configuration that names them.
const keySets = new WeakMap<KeySource, JWTVerifyGetKey>();

function keySetFor(source: KeySource): JWTVerifyGetKey {
  let keySet = keySets.get(source);
  if (!keySet) {
    keySet =
      source.kind === 'inline'
        ? createLocalJWKSet(source.jwks as Parameters<typeof createLocalJWKSet>[0])
        : source.kind === 'remote'
          ? remoteKeySet(source.url)
          : () => {
              throw new KeySetUnavailableError('AUTH_JWKS is not a key set');
            };
    keySets.set(source, keySet);
  }
  return keySet;
}

/**
 * The remote key set could not be fetched (network error, timeout, non-200, not a key set): the
 * token may well be good, so the caller hears "try again", not "unauthorized".
 */
class KeySetUnavailableError extends Error {
  override readonly name = 'KeySetUnavailableError';
}

/** Errors of the remote key set that are the token's fault (its `kid`, its `alg`). */
const TOKEN_FAULTS = new Set(['ERR_JWKS_NO_MATCHING_KEY', 'ERR_JWKS_MULTIPLE_MATCHING_KEYS']);

function remoteKeySet(url: URL): JWTVerifyGetKey {
  const remote = createRemoteJWKSet(url, {
    cooldownDuration: JWKS_REFETCH_COOLDOWN_MS,
    cacheMaxAge: JWKS_CACHE_MAX_AGE_MS,
  });
  return async (header, token) => {
    try {
      return await remote(header, token);
    } catch (error) {
      if (error instanceof joseErrors.JOSEError && TOKEN_FAULTS.has(error.code)) throw error;
      if (error instanceof joseErrors.JOSEAlgNotAllowed) throw error;
      throw new KeySetUnavailableError(`key set at ${url.host}: ${String(error)}`);
    }
  };
}

export const unauthorized = (detail: string) =>
  new AppError(
    'unauthorized',
    'A valid access token is required.',
    { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
    detail,
  );

/**
 * Verify an Entra ID access token: RS256 only, our audience, exp/nbf with bounded skew, a GUID
 * `tid` and an `iss` that names that same tenant in one of Entra's two issuer forms.
 */
export async function verifyAccessToken(token: string, auth: AuthConfig): Promise<Principal> {
  let payload: Record<string, unknown>;
  try {
    const verified = await jwtVerify(token, keySetFor(auth.keys), {
      algorithms: ['RS256'],
      audience: auth.audience,
      clockTolerance: ENTRA_CLOCK_SKEW_SECONDS,
      maxTokenAge: MAX_TOKEN_AGE_SECONDS,
      requiredClaims: ['exp', 'iat', 'tid', 'iss', 'ver'],
    });
    payload = verified.payload as Record<string, unknown>;
  } catch (error) {
    if (error instanceof KeySetUnavailableError) {
      throw new AppError(
        'unavailable',
        'The token signing keys cannot be fetched; try again shortly.',
        { 'Retry-After': '30' },
        String(error),
      );
    }
    const detail =
      error instanceof joseErrors.JOSEError ? `${error.code}: ${error.message}` : String(error);
    throw unauthorized(detail);
  }
  const rawTid = typeof payload.tid === 'string' ? payload.tid : '';
  const tenant = asTenantId(rawTid);
  if (tenant === null) throw unauthorized('tid is not a GUID');
  if (tenant === CONSUMER_TENANT)
    throw unauthorized('personal Microsoft account (consumer tenant)');
  const issuer = entraIssuer(rawTid, payload.ver);
  if (issuer === null || payload.iss !== issuer) {
    throw unauthorized(
      `iss ${String(payload.iss)} (ver ${String(payload.ver)}) does not name tenant ${tenant}`,
    );
  }
  const wids = Array.isArray(payload.wids)
    ? payload.wids.filter((w): w is string => typeof w === 'string')
    : [];
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  return {
    tenant,
    oid: str(payload.oid),
    name: str(payload.name),
    upn: str(payload.preferred_username) || str(payload.upn) || str(payload.unique_name),
    idp: str(payload.idp) || str(payload.iss),
    roles: rolesOf(wids),
  };
}
