/**
 * Tokens shaped like Microsoft Entra ID access tokens, signed with a local key. Used by the dev
 * sign-in (DEV_AUTH=true only),
 * `npm run token` and by the tests (which also forge bad ones). Runs on Node and in workerd.
 */
import { SignJWT, importJWK } from 'jose';
import { DIRECTORY_ROLES, type RoleName } from '../catalogue/roles';
import { entraIssuer } from '../lib/entra';

export interface TokenOptions {
  tenant: string;
  roles?: RoleName[];
  name?: string;
  audience: string;
  oid?: string;
  upn?: string;
  /** Seconds from now. */
  expiresIn?: number;
  /** Extra or replaced claims. */
  claims?: Record<string, unknown>;
  issuerForm?: 'v2' | 'v1';
}

export function entraClaims(options: TokenOptions): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  const ver = options.issuerForm === 'v1' ? '1.0' : '2.0';
  const iss = entraIssuer(options.tenant, ver) as string;
  return {
    aud: options.audience,
    iss,
    iat: now,
    nbf: now,
    exp: now + (options.expiresIn ?? 3600),
    tid: options.tenant,
    oid: options.oid ?? crypto.randomUUID(),
    name: options.name ?? 'Dev Admin',
    preferred_username: options.upn ?? 'admin@contoso.onmicrosoft.com',
    idp: iss,
    ver,
    wids: (options.roles ?? []).map((r) => DIRECTORY_ROLES[r]),
    ...options.claims,
  };
}

/** A signing key pair as JWKs: a fresh 2048-bit RSA key for RS256, named `kid`. */
export interface SigningKey {
  kid: string;
  privateJwk: JsonWebKey;
  publicJwk: JsonWebKey;
}

export async function newSigningKey(kid: string): Promise<SigningKey> {
  const pair = (await crypto.subtle.generateKey(
    {
      name: 'RSASSA-PKCS1-v1_5',
      modulusLength: 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: 'SHA-256',
    },
    true,
    ['sign', 'verify'],
  )) as CryptoKeyPair;
  return {
    kid,
    privateJwk: (await crypto.subtle.exportKey('jwk', pair.privateKey)) as JsonWebKey,
    publicJwk: (await crypto.subtle.exportKey('jwk', pair.publicKey)) as JsonWebKey,
  };
}

export async function signToken(
  privateJwk: JsonWebKey,
  kid: string,
  claims: Record<string, unknown>,
): Promise<string> {
  const key = await importJWK(privateJwk as Parameters<typeof importJWK>[0], 'RS256');
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid }).sign(key);
}
