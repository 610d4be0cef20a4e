/**
 * A streaming rewriter for string values of chosen JSON properties. Every other byte goes out
 * exactly as it came in (whitespace, key order, number formatting, other fields that contain
 * the same text), and memory stays flat: at most one property value is held at a time.
 *
 * It tokenizes bytes, not characters: JSON's structural characters are ASCII and never occur
 * inside a multi-byte UTF-8 sequence, so chunk boundaries may fall anywhere.
 */

/** A value longer than this is passed through unchanged rather than held. */
export const MAX_VALUE_BYTES = 64 * 1024;
/** Keys longer than this cannot be one of ours: not held. */
const MAX_KEY_BYTES = 256;
/** Deeper nesting than this stops rewriting (the rest passes through untouched). */
const MAX_DEPTH = 10_000;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const COLON = 0x3a;
const COMMA = 0x2c;

export interface RewriteStats {
  rewritten: number;
  bytesIn: number;
  bytesOut: number;
  /** The most bytes held back at any moment (a property value being read). */
  peakHeldBytes: number;
  /** Nesting too deep: the rest of the body passed through untouched. */
  gaveUp: boolean;
}

export function newStats(): RewriteStats {
  return { rewritten: 0, bytesIn: 0, bytesOut: 0, peakHeldBytes: 0, gaveUp: false };
}

/**
 * @param properties property names whose string values may be rewritten
 * @param rewrite returns the new value, or `null` to keep the original bytes
 */
export function jsonLinkRewriter(
  properties: ReadonlySet<string>,
  rewrite: (value: string) => string | null,
  stats: RewriteStats = newStats(),
): TransformStream<Uint8Array, Uint8Array> {
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  // The property names as they most often appear on the wire: quoted, no escapes. A key with
  // these exact bytes is compared in place; any other key is decoded only if it might match.
  const targets = [...properties].map((name) => encoder.encode(JSON.stringify(name)));
  const maxTarget = Math.max(0, ...targets.map((t) => t.length));
  const sameBytes = (chunk: Uint8Array, from: number, to: number) =>
    targets.some((t) => {
      if (t.length !== to - from) return false;
      for (let k = 0; k < t.length; k++) if (chunk[from + k] !== t[k]) return false;
      return true;
    });
  const stack: boolean[] = []; // true: object, false: array
  let expectKey = false;
  let lastKey: string | null = null;
  let inString = false;
  let escaped = false;
  let isKey = false;
  let capturing = false; // holding a property value
  let valueEscaped = false; // the held value has an escape sequence (needs a JSON decode)
  let held: Uint8Array[] = [];
  let heldBytes = 0;
  let keyParts: Uint8Array[] = [];
  let keyBytes = 0;
  let keyEscaped = false;
  let gaveUp = false;

  const concat = (parts: Uint8Array[], total: number) => {
    if (parts.length === 1) return parts[0] as Uint8Array;
    const out = new Uint8Array(total);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  };

  // Output of the current input chunk, sent as one piece at its end: each enqueue crosses into
  // the runtime's stream machinery, which costs far more than copying a few kilobytes.
  let out: Uint8Array[] = [];
  let outBytes = 0;
  const emit = (bytes: Uint8Array) => {
    if (bytes.length === 0) return;
    out.push(bytes);
    outBytes += bytes.length;
  };
  const flushOut = (controller: TransformStreamDefaultController<Uint8Array>) => {
    if (outBytes === 0) return;
    stats.bytesOut += outBytes;
    controller.enqueue(concat(out, outBytes));
    out = [];
    outBytes = 0;
  };

  const hold = (bytes: Uint8Array) => {
    if (bytes.length === 0) return;
    held.push(bytes);
    heldBytes += bytes.length;
    if (heldBytes > stats.peakHeldBytes) stats.peakHeldBytes = heldBytes;
  };

  const releaseHeld = (replacement: Uint8Array | null) => {
    if (replacement !== null) emit(replacement);
    else for (const part of held) emit(part);
    held = [];
    heldBytes = 0;
    capturing = false;
  };

  /** The closing quote of a held value has arrived: rewrite it or send the original bytes. */
  const finishValue = () => {
    const raw = concat(held, heldBytes);
    let replacement: Uint8Array | null = null;
    try {
      // Without escapes the value is its bytes between the quotes; otherwise let JSON decode it.
      const value = (valueEscaped ? JSON.parse(decoder.decode(raw)) : decoder.decode(raw.subarray(1, raw.length - 1))) as unknown;
      if (typeof value === 'string') {
        const next = rewrite(value);
        if (next !== null && next !== value) {
          replacement = encoder.encode(JSON.stringify(next));
          stats.rewritten++;
        }
      }
    } catch {
      // Not a valid JSON string token: leave it exactly as it was.
    }
    releaseHeld(replacement);
  };

  const finishKey = () => {
    // An escaped key can be at most 6x its decoded length; longer ones cannot be ours.
    if (keyBytes <= Math.min(MAX_KEY_BYTES, maxTarget * 6)) {
      try {
        const key = JSON.parse(decoder.decode(concat(keyParts, keyBytes))) as unknown;
        lastKey = typeof key === 'string' ? key : null;
      } catch {
        lastKey = null;
      }
    } else {
      lastKey = null;
    }
    keyParts = [];
    keyBytes = 0;
  };

  return new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      stats.bytesIn += chunk.length;
      if (gaveUp) {
        emit(chunk);
        flushOut(controller);
        return;
      }
      let start = 0; // first byte of this chunk not yet sent or held
      // Where the current key's bytes begin in this chunk (0 when a key continues from the last one).
      let keyStart = inString && isKey ? 0 : -1;
      const n = chunk.length;
      let nextBackslash = -2; // not looked for yet in this chunk
      for (let i = 0; i < n; i++) {
        if (inString) {
          if (escaped) {
            escaped = false;
            continue;
          }
          // Jump to the next quote; a backslash before it escapes the character after it.
          const quote = chunk.indexOf(QUOTE, i);
          if (nextBackslash !== -1 && nextBackslash < i) nextBackslash = chunk.indexOf(BACKSLASH, i);
          if (nextBackslash !== -1 && (quote === -1 || nextBackslash < quote)) {
            if (isKey) keyEscaped = true;
            else if (capturing) valueEscaped = true;
            i = nextBackslash;
            escaped = true;
            continue;
          }
          if (quote === -1) {
            i = n;
            break;
          }
          i = quote;
          inString = false;
          if (isKey) {
            if (keyStart >= 0 && keyParts.length === 0 && !keyEscaped) {
              // The whole key is in this chunk, unescaped: compare its bytes in place.
              lastKey = sameBytes(chunk, keyStart, i + 1) ? decoder.decode(chunk.subarray(keyStart + 1, i)) : null;
            } else {
              if (keyStart >= 0 && keyBytes <= MAX_KEY_BYTES) {
                keyParts.push(chunk.subarray(keyStart, i + 1));
                keyBytes += i + 1 - keyStart;
              }
              finishKey();
            }
            keyStart = -1;
          } else if (capturing) {
            hold(chunk.subarray(start, i + 1));
            start = i + 1;
            finishValue();
          }
          continue;
        }
        const b = chunk[i] as number;
        switch (b) {
          case QUOTE: {
            inString = true;
            const top = stack[stack.length - 1];
            isKey = top === true && expectKey;
            if (isKey) {
              keyStart = i;
              keyParts = [];
              keyBytes = 0;
              keyEscaped = false;
            } else if (top === true && lastKey !== null && properties.has(lastKey)) {
              emit(chunk.subarray(start, i));
              start = i;
              capturing = true;
              valueEscaped = false;
            }
            break;
          }
          case LBRACE:
          case LBRACKET:
            stack.push(b === LBRACE);
            expectKey = b === LBRACE;
            if (stack.length > MAX_DEPTH) {
              gaveUp = stats.gaveUp = true;
              emit(chunk.subarray(start));
              flushOut(controller);
              return;
            }
            break;
          case RBRACE:
          case RBRACKET:
            stack.pop();
            expectKey = false;
            break;
          case COLON:
            expectKey = false;
            break;
          case COMMA:
            if (stack[stack.length - 1] === true) expectKey = true;
            lastKey = null;
            break;
          default:
            break;
        }
      }
      // End of chunk: a key in progress keeps its bytes; a held value keeps the rest of the chunk.
      if (inString && isKey && keyStart >= 0) {
        if (keyBytes <= MAX_KEY_BYTES) keyParts.push(chunk.subarray(keyStart, n));
        keyBytes += n - keyStart;
      }
      if (capturing) {
        hold(chunk.subarray(start, n));
        if (heldBytes > MAX_VALUE_BYTES) releaseHeld(null);
      } else {
        emit(chunk.subarray(start, n));
      }
      flushOut(controller);
    },
    flush(controller) {
      // An unterminated value (truncated body): send what was held, unchanged.
      if (heldBytes > 0) releaseHeld(null);
      flushOut(controller);
      stats.gaveUp = gaveUp;
    },
  });
}
