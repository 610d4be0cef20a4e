/**
 * The SIEM link rewriter's reader: a streaming rewriter for string values of chosen JSON
 * properties that leaves every other byte as it came, reading the body in large batches and
 * handing each to the scanner (scanner.ts). See docs/siem.md.
 */
import { READ_BYTES, READ_VIEW } from './layout';
import type { Rewrite, RewriteStats } from './scanner';
import { JsonLinkScanner, newStats } from './scanner';

export type { Rewrite, RewriteStats } from './scanner';
export { JsonLinkScanner, MAX_REPLACEMENT_BYTES, MAX_VALUE_BYTES, newStats } from './scanner';
export { READ_BYTES };

/**
 * Read a body in batches of at least READ_BYTES where the runtime can (a BYOB reader).
 * `recycle` hands back a batch that is no longer needed: its buffer takes the next read (a fresh
 * buffer per read costs about as much CPU as scanning it).
 */
function batchedReader(body: ReadableStream<Uint8Array>): {
  next(): Promise<Uint8Array | null>;
  recycle(batch: Uint8Array): void;
  cancel(reason: unknown): Promise<void>;
} {
  let byob:
    | (ReadableStreamBYOBReader & {
        readAtLeast?: (
          min: number,
          view: Uint8Array,
        ) => Promise<ReadableStreamReadResult<Uint8Array>>;
      })
    | null = null;
  try {
    byob = body.getReader({ mode: 'byob' });
  } catch {
    byob = null; // a stream made in JS without `type: 'bytes'`
  }
  if (byob !== null) {
    const reader = byob;
    let spare: ArrayBuffer | null = null;
    return {
      async next() {
        const view = new Uint8Array(spare ?? new ArrayBuffer(READ_VIEW));
        spare = null;
        const { done, value } = reader.readAtLeast
          ? await reader.readAtLeast(READ_BYTES, view)
          : await reader.read(view);
        if (value !== undefined && value.length > 0) return value;
        if (value !== undefined) spare = value.buffer as ArrayBuffer;
        return done ? null : this.next();
      },
      recycle(batch) {
        if (batch.buffer.byteLength === READ_VIEW) spare = batch.buffer as ArrayBuffer;
      },
      cancel: (reason) => reader.cancel(reason),
    };
  }
  const reader = body.getReader();
  return {
    async next() {
      const { done, value } = await reader.read();
      return done ? null : value;
    },
    recycle() {},
    cancel: (reason) => reader.cancel(reason),
  };
}

/**
 * `body` with the string values of `properties` passed through `rewrite` (`null` keeps the
 * original bytes). Pull-based: nothing is read ahead of the client, and cancelling the result
 * cancels the upstream read; an upstream error errors the result.
 */
export function rewriteJsonLinks(
  body: ReadableStream<Uint8Array>,
  properties: ReadonlySet<string>,
  rewrite: Rewrite,
  stats: RewriteStats = newStats(),
): ReadableStream<Uint8Array> {
  const scanner = new JsonLinkScanner(properties, rewrite, stats);
  const input = batchedReader(body);
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        const chunk = await input.next();
        if (chunk === null) {
          const tail = scanner.end();
          if (tail.length > 0) controller.enqueue(tail);
          controller.close();
          return;
        }
        const out = scanner.push(chunk);
        if (out.buffer !== chunk.buffer) input.recycle(chunk);
        if (out.length > 0) {
          controller.enqueue(out);
          return;
        }
      }
    },
    cancel: (reason) => input.cancel(reason),
  });
}
