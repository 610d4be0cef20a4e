import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
import { startDemoOrigin } from './scripts/demo-origin.ts';
import { demoAudiences } from './scripts/demo-clients.ts';
import { DEV_VARS, parseDevVars } from './scripts/devkeys.ts';
import { newSigningKey } from './src/auth/dev-tokens.ts';

// A signing key made for this run only: the Worker trusts its public half (AUTH_JWKS), the
// tests sign admin tokens with the private half. Never written to disk.
const { kid, privateJwk, publicJwk } = await newSigningKey('test-key-1');
const jwks = JSON.stringify({ keys: [{ ...publicJwk, kid, alg: 'RS256', use: 'sig' }] });

// The demo legacy origin: a real HTTP server on loopback that pass-through requests reach. Its
// portals sign in through Entra ID as the real ones do, and it plays Entra ID's endpoints (the
// settings page's sign-in, the portals' form_post) with the same test key.
const origin = await startDemoOrigin({
  signer: { kid, privateJwk, publicJwk, audience: 'api://portal-redirect' },
});
origin.server.unref();

/** Every variable the Worker under test reads that the tests rely on, set here. */
const testVars: Record<string, string> = {
  PASSTHROUGH_ORIGIN: origin.url,
  AUTH_JWKS: jwks,
  // The legacy portals' sign-in id_tokens are checked against the same test key.
  SIGNIN_JWKS: jwks,
  SIGNIN_AUTHORITIES: origin.url,
  SIGNIN_AUDIENCES: demoAudiences(),
  COOKIE_SIGNING_SECRET: randomBytes(32).toString('base64url'),
  // The tests run the edge over http as well as https (local runs do).
  EDGE_COOKIES_OVER_HTTP: 'on',
  TEST_SIGNING_KEY: JSON.stringify({ kid, privateJwk, publicJwk }),
  DEV_AUTH: 'true',
  DEV_SIGNING_KEY: JSON.stringify({ kid, privateJwk }),
  ORIGIN_TIMEOUT_MS: '2000',
  // Identity's move dated in 2099: its choice stays open today, and the page says what comes.
  PRODUCT_PHASES: JSON.stringify({
    identity: { onByDefaultFrom: '2099-01-31T00:00:00Z', lockedFrom: '2099-07-02T00:00:00Z' },
  }),
};

/**
 * wrangler gives the Worker under test what a developer's `.dev.vars` holds, too. A variable the
 * tests do not set is put back to wrangler.jsonc's value (or unset, ''), so a developer's file
 * never changes what `npm test` checks.
 */
function neutralised(): Record<string, string> {
  if (!existsSync(DEV_VARS)) return {};
  const config = JSON.parse(
    readFileSync('wrangler.jsonc', 'utf8').replace(/^\s*\/\/.*$/gm, ''),
  ) as { vars?: Record<string, string> };
  const out: Record<string, string> = {};
  for (const name of parseDevVars(readFileSync(DEV_VARS, 'utf8')).keys())
    if (!(name in testVars)) out[name] = config.vars?.[name] ?? '';
  return out;
}

export default defineConfig({
  test: {
    projects: [
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: './wrangler.jsonc' },
            // The real entry, its settings objects on deps a test can set (test/worker.ts).
            main: './test/worker.ts',
            miniflare: { bindings: { ...neutralised(), ...testVars } },
          }),
        ],
        test: { name: 'worker', include: ['test/**/*.test.ts'] },
      },
      {
        test: {
          name: 'node',
          include: ['test-node/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          // These start wrangler dev and share .dev.vars: one file at a time.
          fileParallelism: false,
        },
      },
    ],
  },
});
