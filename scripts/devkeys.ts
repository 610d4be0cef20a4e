/**
 * The local development signing key: an RSA key made on first use into .dev-keys/ (git-ignored,
 * never committed). `npm start` gives the Worker its public JWKS; `npm run token` signs with it.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newSigningKey, type SigningKey } from '../src/auth/dev-tokens.ts';

export const DEV_KEYS_DIR = '.dev-keys';
const KEY_FILE = join(DEV_KEYS_DIR, 'signing-key.json');

export type DevKey = SigningKey;

export async function devKey(root = process.cwd()): Promise<DevKey> {
  const file = join(root, KEY_FILE);
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as DevKey;
  const key: DevKey = await newSigningKey(`dev-${crypto.randomUUID().slice(0, 8)}`);
  mkdirSync(join(root, DEV_KEYS_DIR), { recursive: true });
  writeFileSync(file, JSON.stringify(key, null, 2), { mode: 0o600 });
  return key;
}

/** The public JWKS for AUTH_JWKS. */
export function jwksOf(key: DevKey): string {
  const { kty, n, e } = key.publicJwk;
  return JSON.stringify({ keys: [{ kty, n, e, kid: key.kid, alg: 'RS256', use: 'sig' }] });
}
