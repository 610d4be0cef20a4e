import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
import { startDemoOrigin } from './scripts/demo-origin.ts';
import { newSigningKey } from './src/auth/dev-tokens.ts';

// A signing key made for this run only: the Worker trusts its public half (AUTH_JWKS), the
// tests sign admin tokens with the private half. Never written to disk.
const { kid, privateJwk, publicJwk } = await newSigningKey('test-key-1');

// The demo legacy origin: a real HTTP server on loopback that pass-through requests reach. It
// also plays Entra ID's authorize and token endpoints for the settings page's sign-in test.
const origin = await startDemoOrigin(0, '127.0.0.1', {
  kid,
  privateJwk,
  audience: 'api://portal-redirect',
});
origin.server.unref();

export default defineConfig({
  test: {
    projects: [
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: './wrangler.jsonc' },
            miniflare: {
              bindings: {
                PASSTHROUGH_ORIGIN: origin.url,
                AUTH_JWKS: JSON.stringify({
                  keys: [{ ...publicJwk, kid, alg: 'RS256', use: 'sig' }],
                }),
                // The legacy portals' sign-in id_tokens are checked against the same test key.
                SIGNIN_JWKS: JSON.stringify({
                  keys: [{ ...publicJwk, kid, alg: 'RS256', use: 'sig' }],
                }),
                TEST_SIGNING_KEY: JSON.stringify({ kid, privateJwk, publicJwk }),
                DEV_AUTH: 'true',
                DEV_SIGNING_KEY: JSON.stringify({ kid, privateJwk }),
                ORIGIN_TIMEOUT_MS: '2000',
              },
            },
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
          // These start wrangler dev and share the dev signing key: one file at a time.
          fileParallelism: false,
        },
      },
    ],
  },
});
