/**
 * Local secrets, kept in `.dev.vars`: wrangler's own file of local variables and secrets, which
 * `wrangler dev` reads, git-ignored and written with mode 600. Made on first use and kept:
 * - DEV_SIGNING_KEY: an RSA key, JSON `{"kid", "privateJwk"}`. `npm start`'s Worker trusts its
 *   public half (AUTH_JWKS, and SIGNIN_JWKS for the demo Entra ID); `npm run token` signs with it;
 * - COOKIE_SIGNING_SECRET: the secret the edge signs its own cookies with.
 * Anything else a developer writes into `.dev.vars` is left as it is. Secrets never go on a
 * command line, where every local user's `ps` would show them.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { newSigningKey, type SigningKey } from '../src/auth/dev-tokens.ts';

export const DEV_VARS = '.dev.vars';

export type DevKey = SigningKey;

/** The names a `.dev.vars` (dotenv syntax) sets, with their values. */
export function parseDevVars(text: string): Map<string, string> {
  const vars = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!match) continue;
    let value = match[2] as string;
    const quote = value[0];
    if ((quote === "'" || quote === '"') && value.endsWith(quote) && value.length >= 2)
      value = value.slice(1, -1);
    vars.set(match[1] as string, value);
  }
  return vars;
}

function readVars(root: string): Map<string, string> {
  const file = join(root, DEV_VARS);
  return existsSync(file) ? parseDevVars(readFileSync(file, 'utf8')) : new Map();
}

/** Add `name` to `.dev.vars` (mode 600), keeping every line already there. */
function appendVar(root: string, name: string, value: string, comment: string): void {
  const file = join(root, DEV_VARS);
  const before = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const sep = before === '' || before.endsWith('\n') ? '' : '\n';
  writeFileSync(file, `${before}${sep}# ${comment}\n${name}='${value}'\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
}

/** The local signing key, made into `.dev.vars` on first use. */
export async function devKey(root = process.cwd()): Promise<DevKey> {
  const stored = readVars(root).get('DEV_SIGNING_KEY');
  if (stored) {
    const { kid, privateJwk } = JSON.parse(stored) as { kid: string; privateJwk: JsonWebKey };
    const { kty, n, e } = privateJwk;
    return { kid, privateJwk, publicJwk: { kty, n, e } };
  }
  const key = await newSigningKey(`dev-${crypto.randomUUID().slice(0, 8)}`);
  appendVar(
    root,
    'DEV_SIGNING_KEY',
    JSON.stringify({ kid: key.kid, privateJwk: key.privateJwk }),
    'made by npm start: the local dev signing key (DEV_AUTH sign-in, npm run token)',
  );
  return key;
}

/** The secret the edge signs its cookies with locally, made into `.dev.vars` on first use. */
export function cookieSecret(root = process.cwd()): string {
  const stored = readVars(root).get('COOKIE_SIGNING_SECRET');
  if (stored) return stored;
  const secret = randomBytes(32).toString('base64url');
  appendVar(root, 'COOKIE_SIGNING_SECRET', secret, "made by npm start: signs the edge's cookies");
  return secret;
}

/** The public JWKS for AUTH_JWKS. */
export function jwksOf(key: DevKey): string {
  const { kty, n, e } = key.publicJwk;
  return JSON.stringify({ keys: [{ kty, n, e, kid: key.kid, alg: 'RS256', use: 'sig' }] });
}
