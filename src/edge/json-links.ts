/**
 * A streaming rewriter for string values of chosen JSON properties. Every other byte goes out
 * exactly as it came in (whitespace, key order, number formatting, other fields that contain
 * the same text), and memory stays flat: at most one property value is held at a time.
 *
 * Each batch of bytes is decoded to text once (JSON is UTF-8: RFC 8259 section 8.1), searched
 * with the engine's native string search, and encoded once; valid UTF-8 comes back out byte for
 * byte. From the first byte that is not valid UTF-8 on, the body is not JSON and passes unchanged.
 *
 * It does not tokenize the whole document. It looks for the property names as they are written
 * (`"LinkToWDATP"`), and accepts a hit when, in valid JSON, it can only be an object key:
 * - the opening quote is structural: an even number of backslashes before it (inside a string,
 *   every quote is escaped, so `\"LinkToWDATP\"` in a description is not a key);
 * - a colon follows (whitespace allowed), so an array element or a value spelled the same is not;
 * - a string follows the colon; that value is held until its closing quote, decoded (escapes such
 *   as `\/` included), rewritten or not, and sent.
 * Nesting depth does not matter (no stack is kept). A key spelled with escapes for plain letters
 * (`"Link\u0054oWDATP"`) is not recognised: no JSON encoder writes ASCII letters that way, and
 * matching the names as written is what lets a 10 MB payload through at a useful speed.
 * Broken JSON never throws; at worst a value after a matching key is rewritten, into valid JSON.
 */

import { fitsShape, type LinkShape } from '../core/links';

/**
 * A value's replacement, or `null` to keep it. With a shape, every later value of that shape is
 * rewritten by the scanner itself, without a call (a SIEM payload's links share a few shapes).
 */
export type Rewrite = (value: string) => string | { text: string; shape: LinkShape | null } | null;

/** Shapes kept per body, the most recent first. */
const SHAPES = 8;

/** A value longer than this (in characters) is passed through unchanged rather than held. */
export const MAX_VALUE_CHARS = 64 * 1024;
/**
 * The upstream body is read in batches of at least this many bytes: each read, each decode and
 * encode, and each chunk sent has a fixed cost (bench scenario 3: 0.44-0.46 with 64 KiB, 0.46-0.52
 * with 256 KiB, about the run-to-run noise).
 * One batch (and one held value) is what a request holds.
 */
export const READ_BYTES = 256 * 1024;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const EMPTY = new Uint8Array(0);

/** Printable ASCII except `"` and `\`: JSON.stringify only adds the quotes. */
const JSON_AS_IS = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

export interface RewriteStats {
  rewritten: number;
  bytesIn: number;
  bytesOut: number;
  /** The most characters held back at any moment (a property value being read, a possible key's start). */
  peakHeld: number;
  /** The body was not valid UTF-8: from there on it passed unchanged. */
  notUtf8: boolean;
}

export function newStats(): RewriteStats {
  return { rewritten: 0, bytesIn: 0, bytesOut: 0, peakHeld: 0, notUtf8: false };
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

/** Names grouped by their last character, the one `indexOf` looks for. */
interface AnchorGroup {
  anchor: string;
  /** `"name"` as JSON text. */
  keys: string[];
}

/** Where the bytes end before an unfinished UTF-8 sequence (kept for the next batch). */
function completeUtf8(bytes: Uint8Array): number {
  const n = bytes.length;
  for (let k = n - 1; k >= 0 && k >= n - 3; k--) {
    const b = bytes[k] as number;
    if ((b & 0xc0) === 0x80) continue; // a continuation byte: look further back
    const length = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return n - k < length ? k : n;
  }
  return n;
}

/** The rewriter's state machine: bytes in, bytes out, no streams (so it is easy to test and time). */
export class JsonLinkScanner {
  private readonly groups: AnchorGroup[];
  /** Characters kept back at the end of a window: a key's start may be there. */
  private readonly keep: number;
  private readonly encoder = new TextEncoder();
  private readonly decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  private state = State.Scan;
  /** Bytes of an unfinished UTF-8 sequence at the end of the last chunk. */
  private pending = EMPTY;
  private carry = '';
  /** Backslashes right before the current window (for a quote at its very start). */
  private backslashesBefore = 0;
  private held = '';
  private valueEscaped = false;
  private escapeNext = false;
  /** Position of the next backslash in the current window: -1 none, -2 not looked for. */
  private backslashAt = -2;
  private notUtf8 = false;
  private out: string[] = [];
  private readonly shapes: LinkShape[] = [];

  constructor(
    properties: ReadonlySet<string>,
    private readonly rewrite: Rewrite,
    private readonly stats: RewriteStats = newStats(),
  ) {
    const byAnchor = new Map<string, string[]>();
    for (const name of properties) {
      const key = JSON.stringify(name);
      if (key.length < 3) continue;
      const anchor = key.charAt(key.length - 2);
      byAnchor.set(anchor, [...(byAnchor.get(anchor) ?? []), key]);
    }
    this.groups = [...byAnchor].map(([anchor, keys]) => ({ anchor, keys }));
    this.keep = Math.max(0, ...this.groups.flatMap((g) => g.keys.map((k) => k.length - 1)));
  }

  /** Feed the next bytes; returns what can be sent now (possibly nothing). */
  push(chunk: Uint8Array): Uint8Array {
    this.stats.bytesIn += chunk.length;
    if (this.notUtf8) return this.sent(chunk);
    const bytes = this.pending.length > 0 ? concat(this.pending, chunk) : chunk;
    const cut = completeUtf8(bytes);
    let text: string;
    try {
      text = this.decoder.decode(bytes.subarray(0, cut));
    } catch {
      // Not UTF-8, so not JSON: what is held goes back as it came (it was valid text), the rest raw.
      this.notUtf8 = this.stats.notUtf8 = true;
      const before = this.encoder.encode(this.carry + this.held);
      this.carry = this.held = '';
      this.pending = EMPTY;
      return this.sent(concat(before, bytes));
    }
    this.pending = cut === bytes.length ? EMPTY : bytes.slice(cut);
    return this.sent(this.encoder.encode(this.scan(text)));
  }

  /** The input has ended: everything still held goes out unchanged. */
  end(): Uint8Array {
    const rest = this.encoder.encode(this.carry + this.held);
    this.carry = this.held = '';
    // An unfinished UTF-8 sequence at the very end: not text, sent as it came.
    const tail = this.pending;
    this.pending = EMPTY;
    return this.sent(tail.length > 0 ? concat(rest, tail) : rest);
  }

  private sent(bytes: Uint8Array): Uint8Array {
    this.stats.bytesOut += bytes.length;
    return bytes;
  }

  /** Scan one window of text; returns the text that can go out now. */
  private scan(text: string): string {
    const w = this.carry.length > 0 ? this.carry + text : text;
    this.carry = '';
    this.backslashAt = -2;
    const n = w.length;
    const next = this.groups.map(() => -2); // per group: next verified key end, -1 none, -2 not looked for
    let from = 0; // first character not yet sent or held
    let valueStart = -1; // the opening quote of a value begun in this window; -1: begun before, held
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
          // No key starts in what is left but its last `keep` characters: keep those for the next window.
          const cut = Math.max(i, n - this.keep);
          this.out.push(w.slice(from, cut));
          this.carry = w.slice(cut);
          this.trackBackslashes(w, cut);
          this.peak(this.carry.length);
          return this.flush();
        }
        i = end;
        this.state = State.AfterKey;
      } else if (this.state === State.AfterKey || this.state === State.AfterColon) {
        while (i < n && isSpace(w.charCodeAt(i))) i++;
        if (i === n) break;
        const c = w.charCodeAt(i);
        if (this.state === State.AfterKey) {
          this.state = c === COLON ? State.AfterColon : State.Scan;
          if (c === COLON) i++;
        } else if (c === QUOTE) {
          // The value stays in the window; only a value that is rewritten or runs past it is cut out.
          valueStart = i;
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
          this.hold(w.slice(this.holdFrom(w, from, valueStart), n));
          valueStart = -1;
          from = i = n;
          if (this.held.length > MAX_VALUE_CHARS) {
            // Too long to be a link: send it unchanged. The scan may resume inside the string,
            // where every quote is escaped, so no key can be found there.
            this.out.push(this.held);
            this.held = '';
            this.state = State.Scan;
          }
          break;
        }
        if (valueStart === -1) {
          this.hold(w.slice(from, close + 1));
          this.out.push(this.held.length > MAX_VALUE_CHARS + 2 ? this.held : (this.finishValue(this.held, 0, this.held.length) ?? this.held));
          this.held = '';
          from = close + 1;
        } else {
          this.peak(close + 1 - valueStart);
          if (!this.valueEscaped && this.shaped(w, from, valueStart + 1, close)) {
            from = close; // the closing quote goes out with what follows
          } else {
            const replacement = close + 1 - valueStart > MAX_VALUE_CHARS + 2 ? null : this.finishValue(w, valueStart, close + 1);
            if (replacement !== null) {
              this.out.push(w.slice(from, valueStart), replacement);
              from = close + 1;
            }
          }
        }
        valueStart = -1;
        i = close + 1;
        this.state = State.Scan;
      }
    }
    if (this.state === State.Value) this.hold(w.slice(this.holdFrom(w, from, valueStart), n));
    else this.out.push(w.slice(from, n));
    this.trackBackslashes(w, n);
    return this.flush();
  }

  /** The end (after its closing quote) of the first structural key of `group` at or after `i`, or -1. */
  private findKey(w: string, i: number, group: AnchorGroup): number {
    const n = w.length;
    for (let j = w.indexOf(group.anchor, i); j !== -1 && j + 1 < n; j = w.indexOf(group.anchor, j + 1)) {
      if (w.charCodeAt(j + 1) !== QUOTE) continue;
      for (const key of group.keys) {
        const start = j + 2 - key.length;
        // A slice compared with === costs less than startsWith here (about a third in workerd).
        if (start < i || w.charCodeAt(start) !== QUOTE || w.slice(start, j + 2) !== key || !this.structural(w, start)) continue;
        return j + 2;
      }
    }
    return -1;
  }

  /** A quote at `at` is structural when an even number of backslashes precede it. */
  private structural(w: string, at: number): boolean {
    return this.backslashesBeforeAt(w, at) % 2 === 0;
  }

  /** After the window: how many backslashes end the text before `cut`. */
  private trackBackslashes(w: string, cut: number): void {
    this.backslashesBefore = this.backslashesBeforeAt(w, cut);
  }

  /** The run of backslashes right before `at`, continuing into the windows before this one. */
  private backslashesBeforeAt(w: string, at: number): number {
    let k = at - 1;
    while (k >= 0 && w.charCodeAt(k) === BACKSLASH) k--;
    return at - 1 - k + (k < 0 ? this.backslashesBefore : 0);
  }

  /** The value's closing quote at or after `i`, or -1; escapes are followed across windows. */
  private closingQuote(w: string, i: number): number {
    if (!this.escapeNext) {
      const quote = w.indexOf('"', i);
      // The next backslash of the window, looked up again only once passed (not once per value).
      if (this.backslashAt !== -1 && this.backslashAt < i) this.backslashAt = w.indexOf('\\', i);
      if (this.backslashAt === -1 || (quote !== -1 && quote < this.backslashAt)) return quote;
    }
    // An escape on the way: walk the characters (rare in links, and bounded by MAX_VALUE_CHARS).
    for (let k = i; k < w.length; k++) {
      if (this.escapeNext) {
        this.escapeNext = false;
        continue;
      }
      const c = w.charCodeAt(k);
      if (c === BACKSLASH) {
        this.escapeNext = true;
        this.valueEscaped = true;
      } else if (c === QUOTE) {
        return k;
      }
    }
    return -1;
  }

  /** A whole value, `text` from `start` to `end`, quotes included: its replacement as JSON text, or `null` to keep it. */
  private finishValue(text: string, start: number, end: number): string | null {
    try {
      // Without escapes the value is its text between the quotes; otherwise let JSON decode it.
      const value = (this.valueEscaped ? JSON.parse(text.slice(start, end)) : text.slice(start + 1, end - 1)) as unknown;
      if (typeof value !== 'string') return null;
      const result = this.rewrite(value);
      if (result === null) return null;
      const next = typeof result === 'string' ? result : this.learn(result.text, result.shape);
      if (next === value) return null;
      this.stats.rewritten++;
      // Printable ASCII without quote or backslash is its own JSON text (links nearly always are).
      return JSON_AS_IS.test(next) ? `"${next}"` : JSON.stringify(next);
    } catch {
      return null; // not a valid JSON string token: leave it exactly as it was
    }
  }

  /**
   * A value of a known shape, the text from `start` to `end` (between its quotes): what precedes
   * it and its replacement go out, in pieces; true when it had one.
   */
  private shaped(w: string, from: number, start: number, end: number): boolean {
    for (const shape of this.shapes) {
      if (!fitsShape(shape, w, start, end)) continue;
      this.out.push(w.slice(from, start), shape.before);
      if (shape.keepRest) this.out.push(w.slice(start + shape.start.length, end));
      if (shape.after !== '') this.out.push(shape.after);
      this.stats.rewritten++;
      return true;
    }
    return false;
  }

  /** Keep a replacement's shape when its fixed parts are their own JSON text (as links are). */
  private learn(text: string, shape: LinkShape | null): string {
    if (shape !== null && JSON_AS_IS.test(shape.before) && JSON_AS_IS.test(shape.after) && !this.shapes.some((s) => s.start === shape.start)) {
      if (this.shapes.length >= SHAPES) this.shapes.pop();
      this.shapes.unshift(shape);
    }
    return text;
  }

  /** A value runs past this window: send what precedes it, and hold from its opening quote on. */
  private holdFrom(w: string, from: number, valueStart: number): number {
    if (valueStart === -1) return from;
    this.out.push(w.slice(from, valueStart));
    return valueStart;
  }

  private hold(text: string): void {
    if (text.length === 0) return;
    this.held += text;
    this.peak(this.held.length);
  }

  private peak(chars: number): void {
    if (chars > this.stats.peakHeld) this.stats.peakHeld = chars;
  }

  /** Everything scanned since the last flush, as one string. */
  private flush(): string {
    const text = this.out.length === 1 ? (this.out[0] as string) : this.out.join('');
    this.out.length = 0;
    return text;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
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
        const view = new Uint8Array(size + 64 * 1024);
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
  rewrite: Rewrite,
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
