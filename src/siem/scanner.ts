/**
 * The scanner glue of the SIEM link rewriter: bytes in, bytes out, no streams. It writes the
 * scanning body's keys and shapes into the WebAssembly's memory (layout.ts), calls the byte loop
 * (assembly/json-scan.ts), and maps in JavaScript each link of a shape it has not seen. How it
 * recognises keys, and why: docs/siem.md.
 */

import { keptAsItIs } from '../core/location';
import {
  CLASS_SIZE,
  INPUT,
  KEEP_REST,
  KEPT,
  KEPT_AS_IT_IS,
  MAX_REPLACEMENT_BYTES,
  MAX_VALUE_BYTES,
  MEMORY_PAGES,
  MIN_ONE,
  NIBBLES_AT,
  OUTPUT,
  OUTPUT_SIZE,
  PAGE,
  PIECE,
  SETTINGS,
  SETTINGS_SIZE,
  SHAPE_SIZE,
  SHAPES,
  SHAPES_AT,
  TABLES,
  TEXTS_AT,
  THEN_AT,
} from './layout';
import scanModule from './json-scan.wasm';
import {
  type CharClass,
  KEPT_REST,
  type LinkShape,
  PLAIN_QUERY,
  PLAIN_SEGMENT,
} from './link-shapes';

export { MAX_REPLACEMENT_BYTES, MAX_VALUE_BYTES };

/**
 * A value's replacement, or `null` to keep it. With a shape, every later value of that shape is
 * rewritten by the scanner itself, without a call (a SIEM payload's links share a few shapes).
 */
export type Rewrite = (value: string) => string | { text: string; shape: LinkShape | null } | null;

const MAX_KEY_BYTES = 1024;

const EMPTY = new Uint8Array(0);

/** Printable ASCII except `"` and `\`: JSON.stringify only adds the quotes. */
const JSON_AS_IS = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

export interface RewriteStats {
  rewritten: number;
  bytesIn: number;
  bytesOut: number;
  /** The most bytes held back at any moment (a property value being read, a possible key's start). */
  peakHeld: number;
  /** The body was not valid UTF-8: from there on it passed unchanged. */
  notUtf8: boolean;
}

export function newStats(): RewriteStats {
  return { rewritten: 0, bytesIn: 0, bytesOut: 0, peakHeld: 0, notUtf8: false };
}

interface ScanExports {
  memory: WebAssembly.Memory;
  scan(
    inp: number,
    len: number,
    out: number,
    outCap: number,
    keys: number,
    anchors: number,
    wild: boolean,
    shapes: number,
    last: boolean,
    before: number,
    keep: number,
    maxValue: number,
  ): number;
  written(): number;
  rewritten(): number;
  backslashes(): number;
  full(): number;
  hasNonAscii(at: number, len: number): number;
}

/** The classes `LinkShape`s use, as tables at TABLES: per class, 256 bytes each for first and then, then `then` by nibbles. */
const CLASSES: readonly CharClass[] = [PLAIN_SEGMENT, PLAIN_QUERY, KEPT_REST];

let wasm: ScanExports | null = null;
/** The scanner whose `scan` call is running (the WebAssembly calls back into it). */
let current: JsonLinkScanner | null = null;

/** The instance, made on first use (nothing runs at module scope). */
function scanner(): ScanExports {
  if (wasm !== null) return wasm;
  const instance = new WebAssembly.Instance(scanModule, {
    env: {
      rewrite: (value: number, valueEnd: number, escaped: number, to: number, room: number) =>
        (current as JsonLinkScanner).rewriteAt(value, valueEnd, escaped !== 0, to, room),
      abort: () => {
        throw new Error('json-scan: aborted');
      },
    },
  });
  const exports = instance.exports as unknown as ScanExports;
  if (exports.memory.buffer.byteLength < MEMORY_PAGES * PAGE)
    exports.memory.grow(MEMORY_PAGES - exports.memory.buffer.byteLength / PAGE);
  const memory = new Uint8Array(exports.memory.buffer);
  CLASSES.forEach((c, k) => {
    const at = TABLES + k * CLASS_SIZE;
    for (const ch of c.first) memory[at + ch.charCodeAt(0)] = 1;
    for (const ch of c.then) {
      const code = ch.charCodeAt(0); // printable ASCII (`charClass` takes nothing else)
      memory[at + THEN_AT + code] = 1;
      memory[at + NIBBLES_AT + (code & 15)] =
        (memory[at + NIBBLES_AT + (code & 15)] as number) | (1 << (code >> 4));
    }
  });
  wasm = exports;
  return exports;
}

/** Where the bytes end before an unfinished UTF-8 sequence. */
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

/** The rewriter's state between batches: bytes in, bytes out, no streams (so it is easy to test and time). */
export class JsonLinkScanner {
  private readonly encoder = new TextEncoder();
  private readonly decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
  private readonly utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  /** Keys (then shapes and their texts) as the WebAssembly reads them at SETTINGS. */
  private readonly settings = new Uint8Array(SETTINGS_SIZE);
  private readonly settingsView = new DataView(this.settings.buffer);
  private settingsUsed: number;
  private readonly anchors: number;
  private readonly wild: boolean;
  private readonly keep: number;
  private readonly shapes: LinkShape[] = [];
  /** Input not consumed by the last call (a key with its value so far, or the last bytes). */
  private carry = EMPTY;
  /** Backslashes right before `carry`. */
  private backslashes = 0;
  /** The last batch ended inside a UTF-8 sequence: the next must be checked too. */
  private utf8Open = false;
  private notUtf8 = false;

  constructor(
    properties: ReadonlySet<string>,
    private readonly rewrite: Rewrite,
    private readonly stats: RewriteStats = newStats(),
  ) {
    const anchors = new Set<number>();
    let at = 0;
    let keep = 0;
    for (const name of properties) {
      const key = this.encoder.encode(JSON.stringify(name));
      if (key.length < 3 || key.length > MAX_KEY_BYTES || at + 8 + key.length > SHAPES_AT) continue;
      this.settingsView.setUint32(at, key.length, true);
      this.settings.set(key, at + 4);
      at += 4 + key.length;
      anchors.add(key[key.length - 2] as number);
      keep = Math.max(keep, key.length - 1);
    }
    this.settingsView.setUint32(at, 0, true);
    this.settingsUsed = TEXTS_AT;
    this.keep = keep;
    const list = [...anchors];
    this.wild = list.length > 4;
    const first = list[0] ?? 0;
    this.anchors =
      [0, 1, 2, 3].reduce((packed, k) => packed | ((list[k] ?? first) << (8 * k)), 0) >>> 0;
  }

  /**
   * Feed the next bytes; returns what can be sent now (possibly nothing). `chunk` is not kept
   * (so its buffer can take the next read) unless it is what is returned: a body that is not UTF-8.
   */
  push(chunk: Uint8Array): Uint8Array {
    this.stats.bytesIn += chunk.length;
    if (this.notUtf8) return this.sent(chunk);
    const out: Uint8Array[] = [];
    for (let at = 0; at < chunk.length && !this.notUtf8; at += PIECE)
      this.piece(chunk, at, Math.min(chunk.length, at + PIECE), out);
    return this.sent(out.length === 1 ? (out[0] as Uint8Array) : concat(out));
  }

  /** The input has ended: what is still held goes out, its last keys looked at. */
  end(): Uint8Array {
    if (this.notUtf8 || this.carry.length === 0) return this.sent(EMPTY);
    const out: Uint8Array[] = [];
    const exports = this.load(EMPTY);
    this.scan(exports, this.carry.length, true, out);
    return this.sent(out.length === 1 ? (out[0] as Uint8Array) : concat(out));
  }

  /** One piece of a chunk: checked as UTF-8 when it must be, then scanned. */
  private piece(chunk: Uint8Array, from: number, to: number, out: Uint8Array[]): void {
    const bytes = chunk.subarray(from, to);
    const exports = this.load(bytes);
    if (this.utf8Open || exports.hasNonAscii(INPUT + this.carry.length, bytes.length)) {
      try {
        this.utf8.decode(bytes, { stream: true });
        this.utf8Open = completeUtf8(bytes) < bytes.length;
      } catch {
        // Not UTF-8, so not JSON: what is held goes back as it came, and the rest of the body raw.
        this.notUtf8 = this.stats.notUtf8 = true;
        out.push(this.carry, chunk.slice(from)); // a copy: `chunk` is not kept (see `push`)
        this.carry = EMPTY;
        return;
      }
    }
    this.scan(exports, this.carry.length + bytes.length, false, out);
  }

  /** The carry, then `bytes`, into the input area; this body's settings into theirs. */
  private load(bytes: Uint8Array): ScanExports {
    const exports = scanner();
    const memory = new Uint8Array(exports.memory.buffer);
    memory.set(this.settings.subarray(0, this.settingsUsed), SETTINGS);
    memory.set(this.carry, INPUT);
    memory.set(bytes, INPUT + this.carry.length);
    return exports;
  }

  /** Scan the `length` bytes at INPUT (again while the output area fills up); what is not consumed is carried. */
  private scan(exports: ScanExports, length: number, last: boolean, out: Uint8Array[]): void {
    const memory = new Uint8Array(exports.memory.buffer);
    for (;;) {
      current = this;
      let consumed: number;
      try {
        consumed = exports.scan(
          INPUT,
          length,
          OUTPUT,
          OUTPUT_SIZE,
          SETTINGS,
          this.anchors,
          this.wild,
          SETTINGS + SHAPES_AT,
          last,
          this.backslashes,
          this.keep,
          MAX_VALUE_BYTES,
        );
      } finally {
        current = null;
      }
      const written = exports.written();
      if (written > 0) out.push(memory.slice(OUTPUT, OUTPUT + written));
      this.stats.rewritten += exports.rewritten();
      this.backslashes = exports.backslashes();
      if (!exports.full()) {
        this.carry = consumed === length ? EMPTY : memory.slice(INPUT + consumed, INPUT + length);
        this.peak(this.carry.length);
        return;
      }
      memory.copyWithin(INPUT, INPUT + consumed, INPUT + length);
      length -= consumed;
    }
  }

  /**
   * Called by the WebAssembly for a value of no known shape, the bytes `[start, end)` between its
   * quotes: its replacement written at `to` as JSON text without the quotes; returns the bytes
   * written, -1 to keep the value, -2 when it needs more than `room`.
   */
  rewriteAt(start: number, end: number, escaped: boolean, to: number, room: number): number {
    const memory = new Uint8Array((wasm as ScanExports).memory.buffer);
    let value: unknown;
    try {
      // Without escapes the value is its text between the quotes; otherwise let JSON decode it.
      const text = this.decoder.decode(memory.subarray(start, end));
      value = escaped ? JSON.parse(`"${text}"`) : text;
    } catch {
      return -1; // not a valid JSON string token: leave it exactly as it was
    }
    if (typeof value !== 'string') return -1;
    const result = this.rewrite(value);
    if (result === null) return -1;
    const next = typeof result === 'string' ? result : this.learn(result.text, result.shape);
    if (next === value) return -1;
    // Printable ASCII without quote or backslash is its own JSON text (links nearly always are).
    const json = JSON_AS_IS.test(next) ? next : JSON.stringify(next).slice(1, -1);
    if (json.length > MAX_REPLACEMENT_BYTES) return -1; // more bytes than characters: too long wherever it lands
    if (json.length <= room) {
      const { read, written } = this.encoder.encodeInto(json, memory.subarray(to, to + room));
      if (read === json.length && written <= MAX_REPLACEMENT_BYTES) return written;
    }
    return this.encoder.encode(json).length > MAX_REPLACEMENT_BYTES ? -1 : -2;
  }

  /** Keep a replacement's shape when its fixed parts are their own JSON text (as links are) and the WebAssembly knows its checks. */
  private learn(text: string, shape: LinkShape | null): string {
    if (
      shape !== null &&
      CLASSES.includes(shape.rest) &&
      (shape.check === null || shape.check === keptAsItIs) &&
      JSON_AS_IS.test(shape.before) &&
      JSON_AS_IS.test(shape.after) &&
      !this.shapes.some((s) => s.start === shape.start) &&
      shape.start.length + shape.before.length + shape.after.length < 4 * 1024
    ) {
      if (this.shapes.length >= SHAPES) this.shapes.pop();
      this.shapes.unshift(shape);
      this.writeShapes();
    }
    return text;
  }

  /** The shapes into the settings, and into the WebAssembly's memory (a scan may be running). */
  private writeShapes(): void {
    const view = this.settingsView;
    let text = TEXTS_AT;
    const put = (s: string) => {
      const { written } = this.encoder.encodeInto(s, this.settings.subarray(text));
      text += written;
      return [SETTINGS + text - written, written];
    };
    view.setUint32(SHAPES_AT, this.shapes.length, true);
    this.shapes.forEach((shape, k) => {
      const table = TABLES + CLASSES.indexOf(shape.rest) * CLASS_SIZE;
      const kept = shape.keepRest && shape.before === shape.start && shape.after === '';
      const flags =
        (shape.keepRest ? KEEP_REST : 0) |
        (shape.check === keptAsItIs ? KEPT_AS_IT_IS : 0) |
        (shape.rest.min === 1 ? MIN_ONE : 0) |
        (kept ? KEPT : 0);
      const fields = [
        ...put(shape.start),
        ...put(shape.before),
        ...put(shape.after),
        table,
        table + THEN_AT,
        flags,
        Math.min(shape.maxRest, 0xffffffff),
      ];
      fields.forEach((n, f) => {
        view.setUint32(SHAPES_AT + 4 + k * SHAPE_SIZE + 4 * f, n as number, true);
      });
    });
    this.settingsUsed = text;
    if (current === this && wasm !== null)
      new Uint8Array(wasm.memory.buffer).set(this.settings.subarray(0, text), SETTINGS);
  }

  private sent(bytes: Uint8Array): Uint8Array {
    this.stats.bytesOut += bytes.length;
    return bytes;
  }

  private peak(bytes: number): void {
    if (bytes > this.stats.peakHeld) this.stats.peakHeld = bytes;
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
