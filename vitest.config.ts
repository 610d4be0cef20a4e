import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
import { startDemoOrigin } from './scripts/demo-origin.ts';

// The demo legacy origin: a real HTTP server on loopback that pass-through requests reach.
const origin = await startDemoOrigin();
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
        },
      },
    ],
  },
});
