/**
 * A streaming rewriter for string values of chosen JSON properties. Every other byte goes out
 * exactly as it came in (whitespace, key order, number formatting, other fields that contain
 * the same text), and memory stays flat: at most one property value is held at a time.
 *
 * It does not tokenize the whole document. It looks for the property names' exact bytes
 * (`"LinkToWDATP"`) with native `indexOf` on the name's last character, and accepts a hit when,
 * in valid JSON, it can only be an object key:
 * - the opening quote is structural: an even number of backslashes before it (inside a string,
 *   every quote is escaped, so `\"LinkToWDATP\"` in a description is not a key);
 * - a colon follows (whitespace allowed), so an array element or a value spelled the same is not;
 * - a string follows the colon; that value is held until its closing quote, decoded (escapes such
 *   as `\/` included), rewritten or not, and sent.
 * Nesting depth does not matter (no stack is kept). A key spelled with escapes for plain letters
 * (`"Link\u0054oWDATP"`) is not recognised: no JSON encoder writes ASCII letters that way, and
 * matching the literal bytes is what lets a 10 MB payload go through at close to proxy speed.
 * Broken JSON never throws; at worst a value after a matching key is rewritten, into valid JSON.
 */

/** A value longer than this is passed through unchanged rather than held. */
export const MAX_VALUE_BYTES = 64 * 1024;
/** The upstream body is read in batches of at least this many bytes: each read and each chunk
 * sent crosses into the runtime's stream machinery, which costs far more than the scan. */
export const READ_BYTES = 64 * 1024;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const EMPTY = new Uint8Array(0);

/** Printable ASCII but `"` and `\\`: one byte a character, and valid inside JSON quotes as it is. */
const JSON_SAFE_ASCII = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

const isSpace = (b: number) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;

export interface RewriteStats {
  rewritten: number;
  bytesIn: number;
  bytesOut: number;
  /** The most bytes held back at any moment (a property value being read, a possible key's start). */
  peakHeldBytes: number;
}

export function newStats(): RewriteStats {
  return { rewritten: 0, bytesIn: 0, bytesOut: 0, peakHeldBytes: 0 };
}

const enum State {
  /** Looking for a key. */
  Scan,
  /** After a matching key: whitespace, then a colon. */
  AfterKey,
  /** After its colon: whitespace, then the value's opening quote. */
  AfterColon,
  /** Inside the value: held until the closing quote. */
  Value,
}

/** Names grouped by their last byte, the one `indexOf` looks for. */
interface AnchorGroup {
  anchor: number;
  /** `"name"` as bytes. */
  keys: Uint8Array[];
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0] as Uint8Array;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The rewriter's state machine: bytes in, bytes out, no streams (so it is easy to test and time). */
export class JsonLinkScanner {
  private readonly groups: AnchorGroup[];
  /** Bytes kept back at the end of a window: a key's start may be there. */
  private readonly keep: number;
  private readonly encoder = new TextEncoder();
  private readonly decoder = new TextDecoder();
  private state = State.Scan;
  private carry = EMPTY;
  /** Backslashes right before the current window (for a quote at its very start). */
  private backslashesBefore = 0;
  private held: Uint8Array[] = [];
  private heldBytes = 0;
  private valueEscaped = false;
  private escapeNext = false;
  /** Position of the next backslash in the current window: -1 none, -2 not looked for. */
  private backslashAt = -2;
  /** Output since the last flush: input bytes, and replacement values as JSON-safe ASCII text. */
  private out: (Uint8Array | string)[] = [];
  private outBytes = 0;

  constructor(
    properties: ReadonlySet<string>,
    private readonly rewrite: (value: string) => string | null,
    private readonly stats: RewriteStats = newStats(),
  ) {
    const byAnchor = new Map<number, Uint8Array[]>();
    for (const name of properties) {
      const key = this.encoder.encode(JSON.stringify(name));
      if (key.length < 3) continue;
      const anchor = key[key.length - 2] as number;
      byAnchor.set(anchor, [...(byAnchor.get(anchor) ?? []), key]);
    }
    this.groups = [...byAnchor].map(([anchor, keys]) => ({ anchor, keys }));
    this.keep = Math.max(0, ...this.groups.flatMap((g) => g.keys.map((k) => k.length - 1)));
  }

  /** Feed the next bytes; returns what can be sent now (possibly nothing). */
  push(chunk: Uint8Array): Uint8Array {
    this.stats.bytesIn += chunk.length;
    const w = this.carry.length > 0 ? concat([this.carry, chunk], this.carry.length + chunk.length) : chunk;
    this.carry = EMPTY;
    this.backslashAt = -2;
    const n = w.length;
    const next = this.groups.map(() => -2); // per group: next verified key end, -1 none, -2 not looked for
    let from = 0; // first byte not yet sent or held
    let i = 0;
    while (i < n) {
      if (this.state === State.Scan) {
        let end = -1;
        for (let g = 0; g < this.groups.length; g++) {
          let at = next[g] as number;
          if (at === -2 || (at !== -1 && at - this.keep - 1 < i)) next[g] = at = this.findKey(w, i, this.groups[g] as AnchorGroup);
          if (at !== -1 && (end === -1 || at < end)) end = at;
        }
        if (end === -1) {
          // No key starts in what is left but its last `keep` bytes: keep those for the next window.
          const cut = Math.max(i, n - this.keep);
          this.emit(w.subarray(from, cut));
          this.carry = w.slice(cut);
          this.trackBackslashes(w, cut);
          this.peak(this.carry.length);
          return this.flush();
        }
        i = end;
        this.state = State.AfterKey;
      } else if (this.state === State.AfterKey || this.state === State.AfterColon) {
        while (i < n && isSpace(w[i] as number)) i++;
        if (i === n) break;
        const b = w[i] as number;
        if (this.state === State.AfterKey) {
          this.state = b === COLON ? State.AfterColon : State.Scan;
          if (b === COLON) i++;
        } else if (b === QUOTE) {
          this.emit(w.subarray(from, i));
          from = i;
          this.state = State.Value;
          this.valueEscaped = false;
          this.escapeNext = false;
          i++;
        } else {
          this.state = State.Scan; // not a string value
        }
      } else {
        const close = this.closingQuote(w, i);
        if (close === -1) {
          this.hold(w.subarray(from, n));
          from = i = n;
          if (this.heldBytes > MAX_VALUE_BYTES) {
            // Too long to be a link: send it unchanged. The scan may resume inside the string,
            // where every quote is escaped, so no key can be found there.
            this.releaseHeld(null);
            this.state = State.Scan;
          }
          break;
        }
        this.hold(w.subarray(from, close + 1));
        from = i = close + 1;
        if (this.heldBytes > MAX_VALUE_BYTES + 2) this.releaseHeld(null);
        else this.finishValue();
        this.state = State.Scan;
      }
    }
    if (this.state === State.Value) {
      this.hold(w.subarray(from, n));
    } else {
      this.emit(w.subarray(from, n));
    }
    this.trackBackslashes(w, n);
    return this.flush();
  }

  /** The input has ended: everything still held goes out unchanged. */
  end(): Uint8Array {
    this.emit(this.carry);
    this.carry = EMPTY;
    if (this.heldBytes > 0) this.releaseHeld(null);
    return this.flush();
  }

  /** The end (after its closing quote) of the first structural key of `group` at or after `i`, or -1. */
  private findKey(w: Uint8Array, i: number, group: AnchorGroup): number {
    const n = w.length;
    for (let j = w.indexOf(group.anchor, i); j !== -1 && j + 1 < n; j = w.indexOf(group.anchor, j + 1)) {
      if (w[j + 1] !== QUOTE) continue;
      for (const key of group.keys) {
        const start = j + 2 - key.length;
        if (start < i || !this.sameBytes(w, start, key) || !this.structural(w, start)) continue;
        return j + 2;
      }
    }
    return -1;
  }

  private sameBytes(w: Uint8Array, start: number, key: Uint8Array): boolean {
    for (let k = 0; k < key.length; k++) if (w[start + k] !== key[k]) return false;
    return true;
  }

  /** A quote at `at` is structural when an even number of backslashes precede it. */
  private structural(w: Uint8Array, at: number): boolean {
    let k = at - 1;
    while (k >= 0 && w[k] === BACKSLASH) k--;
    const run = at - 1 - k + (k < 0 ? this.backslashesBefore : 0);
    return run % 2 === 0;
  }

  /** After the window: how many backslashes end the bytes before `cut`. */
  private trackBackslashes(w: Uint8Array, cut: number): void {
    let k = cut - 1;
    while (k >= 0 && w[k] === BACKSLASH) k--;
    this.backslashesBefore = cut - 1 - k + (k < 0 ? this.backslashesBefore : 0);
  }

  /** The value's closing quote at or after `i`, or -1; escapes are followed across windows. */
  private closingQuote(w: Uint8Array, i: number): number {
    if (!this.escapeNext) {
      const quote = w.indexOf(QUOTE, i);
      // The next backslash of the window, looked up again only once passed (not once per value).
      if (this.backslashAt !== -1 && this.backslashAt < i) this.backslashAt = w.indexOf(BACKSLASH, i);
      if (this.backslashAt === -1 || (quote !== -1 && quote < this.backslashAt)) return quote;
    }
    // An escape on the way: walk the bytes (rare in links, and bounded by MAX_VALUE_BYTES).
    for (let k = i; k < w.length; k++) {
      if (this.escapeNext) {
        this.escapeNext = false;
        continue;
      }
      const b = w[k] as number;
      if (b === BACKSLASH) {
        this.escapeNext = true;
        this.valueEscaped = true;
      } else if (b === QUOTE) {
        return k;
      }
    }
    return -1;
  }

  /** The closing quote of a held value has arrived: rewrite it or send the original bytes. */
  private finishValue(): void {
    const raw = concat(this.held, this.heldBytes);
    let replacement: Uint8Array | string | null = null;
    try {
      // Without escapes the value is its bytes between the quotes; otherwise let JSON decode it.
      const value = (this.valueEscaped ? JSON.parse(this.decoder.decode(raw)) : this.decoder.decode(raw.subarray(1, raw.length - 1))) as unknown;
      if (typeof value === 'string') {
        const next = this.rewrite(value);
        if (next !== null && next !== value) {
          // A link is printable ASCII without quote or backslash: its JSON is itself in quotes,
          // written straight into the output. Anything else goes through JSON and UTF-8.
          replacement = JSON_SAFE_ASCII.test(next) ? `"${next}"` : this.encoder.encode(JSON.stringify(next));
          this.stats.rewritten++;
        }
      }
    } catch {
      // Not a valid JSON string token: leave it exactly as it was.
    }
    this.releaseHeld(replacement);
  }

  private hold(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.held.push(bytes);
    this.heldBytes += bytes.length;
    this.peak(this.heldBytes);
  }

  private releaseHeld(replacement: Uint8Array | string | null): void {
    if (replacement !== null) this.emit(replacement);
    else for (const part of this.held) this.emit(part);
    this.held.length = 0;
    this.heldBytes = 0;
  }

  private peak(bytes: number): void {
    if (bytes > this.stats.peakHeldBytes) this.stats.peakHeldBytes = bytes;
  }

  private emit(bytes: Uint8Array | string): void {
    if (bytes.length === 0) return;
    this.out.push(bytes);
    this.outBytes += bytes.length;
  }

  /** Everything emitted since the last flush, as one piece. */
  private flush(): Uint8Array {
    let bytes: Uint8Array = EMPTY;
    if (this.out.length === 1 && typeof this.out[0] !== 'string') {
      bytes = this.out[0] as Uint8Array;
    } else if (this.outBytes > 0) {
      bytes = new Uint8Array(this.outBytes);
      let at = 0;
      for (const piece of this.out) {
        if (typeof piece === 'string') {
          // JSON-safe ASCII (checked when it was made): one byte a character.
          at += this.encoder.encodeInto(piece, bytes.subarray(at)).written;
        } else {
          bytes.set(piece, at);
          at += piece.length;
        }
      }
    }
    this.stats.bytesOut += bytes.length;
    this.out.length = 0;
    this.outBytes = 0;
    return bytes;
  }
}

/** Read a body in batches of at least `size` bytes where the runtime can (a BYOB reader). */
function batchedReader(body: ReadableStream<Uint8Array>, size: number): { next(): Promise<Uint8Array | null>; cancel(reason: unknown): Promise<void> } {
  let byob: (ReadableStreamBYOBReader & { readAtLeast?: (min: number, view: Uint8Array) => Promise<ReadableStreamReadResult<Uint8Array>> }) | null = null;
  try {
    byob = body.getReader({ mode: 'byob' });
  } catch {
    byob = null; // a stream made in JS without `type: 'bytes'`
  }
  if (byob !== null) {
    const reader = byob;
    return {
      async next() {
        const view = new Uint8Array(size * 2);
        const { done, value } = reader.readAtLeast ? await reader.readAtLeast(size, view) : await reader.read(view);
        if (value !== undefined && value.length > 0) return value;
        return done ? null : this.next();
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
  rewrite: (value: string) => string | null,
  stats: RewriteStats = newStats(),
): ReadableStream<Uint8Array> {
  const scanner = new JsonLinkScanner(properties, rewrite, stats);
  const input = batchedReader(body, READ_BYTES);
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
        if (out.length > 0) {
          controller.enqueue(out);
          return;
        }
      }
    },
    cancel: (reason) => input.cancel(reason),
  });
}
