import { describe, expect, it } from 'vitest';
import worker from '../src/index';
import type { Env } from '../src/config';
import { testEnv } from './helpers';

const MDE = 'https://securitycenter.windows.com';

/** An env whose KV binding throws when touched: an unexpected fault inside the edge. */
function brokenEnv(): Env {
  const env = { ...testEnv } as Env;
  Object.defineProperty(env, 'TOGGLES', {
    get() {
      throw new Error('binding TOGGLES is not available');
    },
  });
  return env;
}

describe('the edge error boundary', () => {
  it('an unexpected throw passes the request to the origin, untouched, instead of a 500', async () => {
    const body = 'alert=da123&note=kept';
    const res = await worker.fetch(
      new Request(`${MDE}/api/alerts?x=1`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Echo': 'json' },
        body,
      }),
      brokenEnv(),
    );
    expect(res.status).toBe(200);
    const echo = (await res.json()) as {
      method: string;
      path: string;
      host: string;
      bodyLength: number;
    };
    expect(echo).toMatchObject({
      method: 'POST',
      path: '/api/alerts?x=1',
      host: 'securitycenter.windows.com',
      bodyLength: body.length,
    });
  });

  it('a throw after the body was read answers a clean JSON 502, not the platform error page', async () => {
    // A sign-in callback POST is read for its id_token; a body that fails mid-read throws there.
    const failing = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('id_token=abc'));
        controller.error(new Error('client went away'));
      },
    });
    const res = await worker.fetch(
      new Request(`${MDE}/signin-oidc`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          'Content-Length': '100',
        },
        body: failing,
        // @ts-expect-error: a streamed request body
        duplex: 'half',
      }),
      testEnv,
    );
    expect(res.status).toBe(502);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(await res.json()).toEqual({
      error: 'origin_unreachable',
      message: 'The legacy portal could not be reached.',
    });
  });
});
