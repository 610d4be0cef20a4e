// AssemblyScript, compiled by `npm run bench` (asc, SIMD on) into dist/bench/wasm-scan.wasm.
//
// Reference, not a target and not portal-redirect: how far scenario 3 could go if the SIEM
// rewrite ran in WebAssembly instead of JavaScript. It rewrites what the bench payload holds the
// way portal-redirect does (same keys, same link shapes, byte for byte: the bench checks), with
// the happy path only: no escapes in values, no JavaScript fallback for links of other shapes,
// no `keptAsItIs` check of kept queries, no per-value length limit.
//
// Memory, written by the Worker before each call (bench/baselines/wasm-scan.js):
//   KEYS:   key texts with their quotes, each a length byte then the bytes; a 0 byte ends them.
//           All of them end in ANCHOR (the byte before the closing quote).
//   SHAPES: a u32 count, then per shape 7 u32: start, startLen, before, beforeLen, after,
//           afterLen, class (the address of a 256-byte table: 1 for a byte the variable part may hold).

const QUOTE: u8 = 0x22;
const BACKSLASH: u8 = 0x5c;
/** Bytes kept for the next batch at the end of one: more than the longest key. */
const KEEP: usize = 64;
const HIGH: v128 = i8x16.splat(-128);
const QUOTES: v128 = i8x16.splat(QUOTE);
const BACKSLASHES: v128 = i8x16.splat(BACKSLASH);

let outLength: usize = 0;
let nonAscii: bool = false;

/** Bytes written to `out` by the last `scan`. */
export function written(): usize {
  return outLength;
}

/** Whether a byte the last `scan` read had its high bit set (the Worker then checks UTF-8 itself). */
export function sawNonAscii(): bool {
  return nonAscii;
}

@inline function isSpace(c: u8): bool {
  return c == 0x20 || c == 0x0a || c == 0x0d || c == 0x09;
}

/** The key among KEYS whose closing quote is at `q`, structural (an even run of backslashes before it): its length, or 0. */
function keyAt(q: usize, lo: usize, keys: usize): usize {
  for (let k = keys; load<u8>(k) != 0; k += 1 + <usize>load<u8>(k)) {
    const len = <usize>load<u8>(k);
    if (q + 1 < lo + len) continue;
    const start = q + 1 - len;
    if (memory.compare(start, k + 1, len) != 0) continue;
    let b = start;
    while (b > lo && load<u8>(b - 1) == BACKSLASH) b--;
    if ((start - b) % 2 == 0) return len;
  }
  return 0;
}

/** The first quote or backslash at or after `at`, or `end`: 16 bytes at a time. */
function valueEnd(at: usize, end: usize): usize {
  let e = at;
  for (; e + 16 <= end; e += 16) {
    const a = v128.load(e);
    if (v128.any_true(v128.and(a, HIGH))) nonAscii = true;
    const mask = i8x16.bitmask(v128.or(i8x16.eq(a, QUOTES), i8x16.eq(a, BACKSLASHES)));
    if (mask != 0) return e + <usize>ctz(mask);
  }
  for (; e < end; e++) {
    const c = load<u8>(e);
    if (c >= 0x80) nonAscii = true;
    if (c == QUOTE || c == BACKSLASH) return e;
  }
  return end;
}

/**
 * Copy `[inp, inp + len)` to `out` with the values of KEYS rewritten through SHAPES. Returns the
 * bytes consumed: unless `last`, a key whose value does not end in the input stops there, and
 * the caller sends the rest again with the next batch.
 */
export function scan(inp: usize, len: usize, out: usize, keys: usize, anchor: u8, shapes: usize, last: bool): usize {
  const end = inp + len;
  const anchors = i8x16.splat(anchor);
  nonAscii = false;
  let o = out;
  let from = inp; // first byte not yet written
  let stop = end; // what is consumed
  let skipTo = inp; // hits before this are inside a value already passed
  let i = inp;
  let pending = false; // a key whose value runs past the input
  while (!pending && i + 17 <= end) {
    const a = v128.load(i);
    if (v128.any_true(v128.and(a, HIGH))) nonAscii = true;
    let mask = i8x16.bitmask(v128.and(i8x16.eq(a, anchors), i8x16.eq(v128.load(i + 1), QUOTES)));
    let next = i + 16;
    while (mask != 0) {
      const q = i + 1 + <usize>ctz(mask);
      mask &= mask - 1;
      if (q < skipTo) continue;
      const keyLen = keyAt(q, inp, keys);
      if (keyLen == 0) continue;
      let j = q + 1;
      while (j < end && isSpace(load<u8>(j))) j++;
      if (j < end && load<u8>(j) != 0x3a) continue;
      j++;
      while (j < end && isSpace(load<u8>(j))) j++;
      if (j < end && load<u8>(j) != QUOTE) continue;
      const vs = j + 1;
      const e = valueEnd(vs, end);
      if (e >= end) {
        if (!last) {
          stop = q + 1 - keyLen;
          pending = true;
          break;
        }
        continue;
      }
      if (load<u8>(e) == BACKSLASH) continue;
      const count = load<u32>(shapes);
      for (let s: u32 = 0; s < count; s++) {
        const p = shapes + 4 + s * 28;
        const start = <usize>load<u32>(p);
        const startLen = <usize>load<u32>(p, 4);
        if (e - vs < startLen || memory.compare(vs, start, startLen) != 0) continue;
        const table = <usize>load<u32>(p, 24);
        let r = vs + startLen;
        while (r < e && load<u8>(table + <usize>load<u8>(r)) != 0) r++;
        if (r != e) continue;
        memory.copy(o, from, vs - from);
        o += vs - from;
        const beforeLen = <usize>load<u32>(p, 12);
        memory.copy(o, <usize>load<u32>(p, 8), beforeLen);
        o += beforeLen;
        memory.copy(o, vs + startLen, e - vs - startLen);
        o += e - vs - startLen;
        const afterLen = <usize>load<u32>(p, 20);
        memory.copy(o, <usize>load<u32>(p, 16), afterLen);
        o += afterLen;
        from = e;
        break;
      }
      skipTo = e + 1;
      if (e + 1 > next) {
        next = e + 1;
        break;
      }
    }
    if (!pending) i = next;
  }
  // Not the last batch: a key may start in the last bytes, so they come again with the next one.
  if (!pending && !last) stop = max(from, i > inp + KEEP ? i - KEEP : inp);
  for (let k = i; k < end; k++) if (load<u8>(k) >= 0x80) nonAscii = true;
  memory.copy(o, from, stop - from);
  o += stop - from;
  outLength = o - out;
  return stop - inp;
}
