// Reference, not a target: a proxy whose Worker reads the body into JavaScript and writes it
// back, in the same 512 KiB BYOB batches as portal-redirect's SIEM rewriter, with no decoding
// and no rewrite. Its ratio to the bare proxy is the floor for any Worker that touches the bytes.
import { toOrigin } from './origin.mjs';
const BATCH = 512 * 1024;
export default {
  async fetch(request, env) {
    const upstream = await toOrigin(request, env);
    if (upstream.body === null) return upstream;
    const reader = upstream.body.getReader({ mode: 'byob' });
    const body = new ReadableStream({
      async pull(controller) {
        const { done, value } = await reader.readAtLeast(BATCH, new Uint8Array(BATCH + 64 * 1024));
        if (value !== undefined && value.length > 0) controller.enqueue(value);
        if (done) controller.close();
      },
      cancel: (reason) => reader.cancel(reason),
    });
    return new Response(body, upstream);
  },
};
