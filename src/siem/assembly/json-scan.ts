// AssemblyScript (not TypeScript): compiled by `npm run build:wasm` (asc, SIMD on) into
// src/siem/json-scan.wasm, which src/siem/scanner.ts loads. This is the byte loop of the SIEM
// link rewriter; the rules it follows are in docs/siem.md, the memory it reads is laid out in ../layout.ts.
//
// One call rewrites one input (what was carried from the last call, then the next bytes of the
// body) into the output area, and says how much of the input it consumed: the rest (a key whose
// value runs past the input, or the last bytes, where a key may begin) comes again next time.
// It holds no state between calls, so requests that take turns on the one instance cannot mix.
//
// Settings, at `settings`:
//   keys:   per key, a u32 length then its text as written (`"LinkToWDATP"`); a 0 length ends them.
//   shapes: at `shapes`, a u32 count, then per shape SHAPE_SIZE bytes of u32:
//           start, startLen, before, beforeLen, after, afterLen, firstTable, thenTable, flags, maxRest
//           (tables: 256 bytes, 1 for a byte the variable part may hold, the `then` table followed by
//           its 16-byte nibble form, see `allIn`; flags: KEEP_REST, KEPT_AS_IT_IS, MIN_ONE, KEPT). A value `start` + variable part becomes `before` + (variable part) + `after`;
//           a KEPT shape's values stay as they are.

const QUOTE: u8 = 0x22;
const BACKSLASH: u8 = 0x5c;
const COLON: u8 = 0x3a;
/** Whitespace around a key's colon beyond this many bytes: not taken as a key (no encoder writes that). */
const MAX_GAP: usize = 256;
const SHAPE_SIZE: usize = 40;
const KEEP_REST: u32 = 1;
const KEPT_AS_IT_IS: u32 = 2;
const MIN_ONE: u32 = 4;
const KEPT: u32 = 8;
/** Within a class table, the `then` table's nibble form follows it at this distance. */
const NIBBLES: usize = 256;
const QUOTES: v128 = i8x16.splat(QUOTE);
const HIGH: v128 = i8x16.splat(-128);
const BACKSLASHES: v128 = i8x16.splat(BACKSLASH);
const AMPERSANDS: v128 = i8x16.splat(0x26);
const PERCENTS: v128 = i8x16.splat(0x25);
const PLUSES: v128 = i8x16.splat(0x2b);
const LOW_NIBBLE: v128 = i8x16.splat(0x0f);
const HIGH_BITS: v128 = i8x16(1, 2, 4, 8, 16, 32, 64, -128, 0, 0, 0, 0, 0, 0, 0, 0);

/**
 * A value of no known shape (or with escapes): JavaScript maps it and writes its replacement (JSON
 * text between the quotes) at `to`. Returns the bytes written, -1 to keep the value, -2 when the
 * replacement needs more than `room` (the caller then stops before the key and flushes).
 */
@external('env', 'rewrite')
declare function rewriteValue(value: usize, valueEnd: usize, escaped: bool, to: usize, room: isize): i32;

let outLength: usize = 0;
let rewrittenCount: u32 = 0;
let backslashRun: u32 = 0;
let stoppedFull: bool = false;

/** Bytes the last `scan` wrote. */
export function written(): usize {
  return outLength;
}

/** Values the last `scan` rewrote. */
export function rewritten(): u32 {
  return rewrittenCount;
}

/** Backslashes right before where the last `scan` stopped (for a quote at the next input's start). */
export function backslashes(): u32 {
  return backslashRun;
}

/** The last `scan` stopped early because its output area was full: call again with the rest. */
export function full(): bool {
  return stoppedFull;
}

/** Whether any byte of `[at, at + len)` is above 0x7f (only then is UTF-8 worth checking): 64 bytes per branch. */
export function hasNonAscii(at: usize, len: usize): bool {
  const end = at + len;
  let p = at;
  for (; p + 64 <= end; p += 64) if (v128.any_true(v128.and(v128.or(v128.or(v128.load(p), v128.load(p, 16)), v128.or(v128.load(p, 32), v128.load(p, 48))), HIGH))) return true;
  for (; p + 16 <= end; p += 16) if (v128.any_true(v128.and(v128.load(p), HIGH))) return true;
  for (; p < end; p++) if (load<u8>(p) >= 0x80) return true;
  return false;
}

@inline function isSpace(c: u8): bool {
  return c == 0x20 || c == 0x0a || c == 0x0d || c == 0x09;
}

/**
 * Whether the `n` bytes at `a` and `b` are the same: 16 (or 8) at a time, unaligned, the last block
 * overlapping the one before (the std `memory.compare` goes 8 at a time only when both are aligned
 * alike, which texts in a body are not, and byte by byte after).
 */
function same(a: usize, b: usize, n: usize): bool {
  if (n >= 16) {
    for (let k: usize = 0; k + 16 < n; k += 16) if (!i8x16.all_true(i8x16.eq(v128.load(a + k), v128.load(b + k)))) return false;
    return i8x16.all_true(i8x16.eq(v128.load(a + n - 16), v128.load(b + n - 16))); // the last 16, overlapping
  }
  if (n >= 8) return load<u64>(a) == load<u64>(b) && load<u64>(a + n - 8) == load<u64>(b + n - 8);
  for (let k: usize = 0; k < n; k++) if (load<u8>(a + k) != load<u8>(b + k)) return false;
  return true;
}

/** Bytes `put` may write past `dst + n` (and read past `src + n`). */
const SLACK: usize = 31;

/**
 * The layout this side assumes, for the test that compares it with ../layout.ts: 0 SHAPE_SIZE,
 * 1 KEEP_REST, 2 KEPT_AS_IT_IS, 3 MIN_ONE, 4 KEPT, 5 NIBBLES, 6 SLACK.
 */
export function layout(which: u32): u32 {
  switch (which) {
    case 0:
      return <u32>SHAPE_SIZE;
    case 1:
      return KEEP_REST;
    case 2:
      return KEPT_AS_IT_IS;
    case 3:
      return MIN_ONE;
    case 4:
      return KEPT;
    case 5:
      return <u32>NIBBLES;
    case 6:
      return <u32>SLACK;
  }
  return 0;
}

/**
 * Copy `n` bytes from `src` to `dst` (the output never overlaps what is copied into it) in whole
 * 32-byte blocks, in line: `memory.copy` is a call into the runtime that costs more than most spans
 * between two links, and a byte-by-byte tail costs more than the block. So it writes up to SLACK
 * bytes past the end, which whatever is written next overwrites (`scan` keeps SLACK bytes free at
 * the end of the output area), and reads as far past `src + n` (the input and settings areas are
 * followed by others, so that stays in memory).
 */
@inline function put(dst: usize, src: usize, n: usize): void {
  for (let k: usize = 0; k < n; k += 32) {
    v128.store(dst + k, v128.load(src + k));
    v128.store(dst + k, v128.load(src + k, 16), 16);
  }
}

/** The run of backslashes right before `at`, continuing into the bytes before the input. */
function backslashesBefore(at: usize, inp: usize, before: u32): u32 {
  let b = at;
  while (b > inp && load<u8>(b - 1) == BACKSLASH) b--;
  return <u32>(at - b) + (b == inp ? before : 0);
}

/** The key whose closing quote is at `q`, starting at or after `lo`, structural: its length, or 0. */
function keyAt(q: usize, lo: usize, inp: usize, before: u32, keys: usize): usize {
  for (let k = keys; load<u32>(k) != 0; k += 4 + <usize>load<u32>(k)) {
    const len = <usize>load<u32>(k);
    if (q + 1 < lo + len) continue;
    const start = q + 1 - len;
    if (!same(start, k + 4, len)) continue;
    // Inside a string every quote is escaped: an even run of backslashes makes it structural.
    if (backslashesBefore(start, inp, before) % 2 == 0) return len;
  }
  return 0;
}

/** The first quote or backslash at or after `at`, or `end`: 16 bytes at a time. */
function quoteOrBackslash(at: usize, end: usize): usize {
  let e = at;
  for (; e + 16 <= end; e += 16) {
    const a = v128.load(e);
    const mask = i8x16.bitmask(v128.or(i8x16.eq(a, QUOTES), i8x16.eq(a, BACKSLASHES)));
    if (mask != 0) return e + <usize>ctz(mask);
  }
  for (; e < end; e++) {
    const c = load<u8>(e);
    if (c == QUOTE || c == BACKSLASH) return e;
  }
  return end;
}

@inline function lower(c: u8): u8 {
  return c | 0x20;
}

/** Whether the pair at `at` is named `tid` or `hash` (any case): the rewrite's own parameters. */
@inline function ownName(at: usize, end: usize): bool {
  const n = end - at;
  if (n >= 3 && lower(load<u8>(at)) == 0x74 && lower(load<u8>(at + 1)) == 0x69 && lower(load<u8>(at + 2)) == 0x64) return n == 3 || nameEnds(load<u8>(at + 3)); // tid
  if (n >= 4 && lower(load<u8>(at)) == 0x68 && lower(load<u8>(at + 1)) == 0x61 && lower(load<u8>(at + 2)) == 0x73 && lower(load<u8>(at + 3)) == 0x68) return n == 4 || nameEnds(load<u8>(at + 4)); // hash
  return false;
}

@inline function nameEnds(c: u8): bool {
  return c == 0x3d || c == 0x26; // = &
}

/**
 * The bits of a 16-byte block's `mask` at `k` for the bytes before `end`. The blocks of a link's
 * query read past its end (the input area is followed by others), which costs less than a byte loop.
 */
@inline function upTo(mask: i32, k: usize, end: usize): i32 {
  return end - k >= 16 ? mask : mask & ((1 << <i32>(end - k)) - 1);
}

/** A pair of a query starts at `start`: not empty, not one of our own. */
@inline function pairKept(start: usize, end: usize): bool {
  return start < end && load<u8>(start) != 0x26 && !ownName(start, end);
}

/**
 * `keptAsItIs` of src/core/location.ts over the bytes `[at, end)`: no `%` or `+`, no empty pair,
 * no pair of our own. One pass, 16 bytes at a time: the `&`s in a block give the pairs it starts.
 */
function keptAsItIs(at: usize, end: usize): bool {
  if (!pairKept(at, end)) return false;
  for (let k = at; k < end; k += 16) {
    const a = v128.load(k);
    if (upTo(i8x16.bitmask(v128.or(i8x16.eq(a, PERCENTS), i8x16.eq(a, PLUSES))), k, end) != 0) return false;
    for (let amps = upTo(i8x16.bitmask(i8x16.eq(a, AMPERSANDS)), k, end); amps != 0; amps &= amps - 1) {
      if (!pairKept(k + <usize>ctz(amps) + 1, end)) return false;
    }
  }
  return true;
}

/**
 * Whether every byte of `[at, end)` is in a character class: `table` (a byte per byte value) or,
 * 16 at a time, `nibbles` (per low nibble, a bit per high nibble 0-7: classes are ASCII).
 */
function allIn(at: usize, end: usize, table: usize, nibbles: v128): bool {
  if (end - at < 16) {
    for (let k = at; k < end; k++) if (load<u8>(table + <usize>load<u8>(k)) == 0) return false;
    return true;
  }
  let k = at;
  for (; k + 16 <= end; k += 16) if (!inClass(v128.load(k), nibbles)) return false;
  return k == end || inClass(v128.load(end - 16), nibbles); // the last 16, overlapping
}

@inline function inClass(a: v128, nibbles: v128): bool {
  const low = i8x16.swizzle(nibbles, v128.and(a, LOW_NIBBLE));
  const high = i8x16.swizzle(HIGH_BITS, i8x16.shr_u(a, 4));
  return i8x16.all_true(v128.and(low, high));
}

/** The shape `[vs, e)` has, or 0. */
function shapeOf(vs: usize, e: usize, shapes: usize): usize {
  const count = <usize>load<u32>(shapes);
  for (let s: usize = 0; s < count; s++) {
    const p = shapes + 4 + s * SHAPE_SIZE;
    const startLen = <usize>load<u32>(p, 4);
    if (e - vs < startLen) continue;
    // Links of one host share their first bytes: the last 8 tell the shapes apart first.
    const start = <usize>load<u32>(p);
    if (startLen >= 8 && load<u64>(vs + startLen - 8) != load<u64>(start + startLen - 8)) continue;
    if (!same(vs, start, startLen)) continue;
    const flags = load<u32>(p, 32);
    const r = vs + startLen;
    if (e - r > <usize>load<u32>(p, 36)) continue;
    if (r == e) {
      if (flags & MIN_ONE) continue;
    } else {
      if (load<u8>(<usize>load<u32>(p, 24) + <usize>load<u8>(r)) == 0) continue;
      const then = <usize>load<u32>(p, 28);
      if (!allIn(r + 1, e, then, v128.load(then + NIBBLES))) continue;
    }
    if (flags & KEPT_AS_IT_IS && !keptAsItIs(r, e)) continue;
    return p;
  }
  return 0;
}

/**
 * Copy `[inp, inp + len)` to `out` (at most `outCap` bytes) with the string values of the keys
 * rewritten, and return the bytes consumed. `before`: backslashes right before the input;
 * `last`: nothing follows it; `keep`: bytes kept at the end for the next input (a key may begin
 * there: its length - 1); `maxValue`: longer values (bytes between the quotes) stay as they are.
 */
export function scan(inp: usize, len: usize, out: usize, outCap: usize, keys: usize, anchors: u32, wild: bool, shapes: usize, last: bool, before: u32, keep: usize, maxValue: usize): usize {
  const end = inp + len;
  const outEnd = out + outCap - SLACK;
  const a0 = i8x16.splat(<i8>(anchors & 0xff));
  const a1 = i8x16.splat(<i8>((anchors >> 8) & 0xff));
  const a2 = i8x16.splat(<i8>((anchors >> 16) & 0xff));
  const a3 = i8x16.splat(<i8>(anchors >> 24));
  const single = anchors == (anchors & 0xff) * 0x01010101; // the keys end alike: one compare
  rewrittenCount = 0;
  stoppedFull = false;
  let o = out;
  let from = inp; // the first byte not yet written
  let lo = inp; // keys start here or later (after a value, after what ended a key's search)
  let p = inp; // the next (anchor, quote) pair looked at starts here
  let stop = end;
  let cut = false; // stopped at a key: the input from `stop` on comes again
  for (;;) {
    // The next quote after an anchor byte (the keys' last bytes): 16 pairs at a time, 32 when the keys end alike.
    let q = end;
    if (single) {
      // One branch per 32 bytes: keys are rare.
      for (; p + 33 <= end; p += 32) {
        const m1 = v128.and(i8x16.eq(v128.load(p), a0), i8x16.eq(v128.load(p + 1), QUOTES));
        const m2 = v128.and(i8x16.eq(v128.load(p + 16), a0), i8x16.eq(v128.load(p + 17), QUOTES));
        if (v128.any_true(v128.or(m1, m2))) {
          q = p + 1 + <usize>ctz(i8x16.bitmask(m1) | (i8x16.bitmask(m2) << 16));
          break;
        }
      }
    }
    if (q == end) for (; p + 17 <= end; p += 16) {
      const a = v128.load(p);
      const anchored = wild ? i8x16.splat(-1) : single ? i8x16.eq(a, a0) : v128.or(v128.or(i8x16.eq(a, a0), i8x16.eq(a, a1)), v128.or(i8x16.eq(a, a2), i8x16.eq(a, a3)));
      const mask = i8x16.bitmask(v128.and(anchored, i8x16.eq(v128.load(p + 1), QUOTES)));
      if (mask != 0) {
        q = p + 1 + <usize>ctz(mask);
        break;
      }
    }
    if (q == end) {
      for (; p + 1 < end; p++) {
        const c = <u32>load<u8>(p);
        if (load<u8>(p + 1) == QUOTE && (wild || c == (anchors & 0xff) || c == ((anchors >> 8) & 0xff) || c == ((anchors >> 16) & 0xff) || c == anchors >> 24)) {
          q = p + 1;
          break;
        }
      }
      if (q == end) break;
    }
    p = q;
    const keyLen = keyAt(q, lo, inp, before, keys);
    if (keyLen == 0) continue;
    const keyStart = q + 1 - keyLen;
    // Whitespace, a colon, whitespace, the value's opening quote.
    let j = q + 1;
    let gap: usize = 0;
    while (j < end && isSpace(load<u8>(j)) && gap <= MAX_GAP) (j++, gap++);
    if (j < end && load<u8>(j) == COLON) {
      j++;
      while (j < end && isSpace(load<u8>(j)) && gap <= MAX_GAP) (j++, gap++);
    } else if (j < end && gap <= MAX_GAP) {
      lo = p = j; // not a key: the search goes on from what followed it
      continue;
    }
    if (gap > MAX_GAP) continue;
    if (j == end) {
      if (last) break;
      stop = keyStart; // the rest comes again, with the next bytes
      cut = true;
      break;
    }
    if (load<u8>(j) != QUOTE) {
      lo = p = j; // not a string value
      continue;
    }
    // The value: up to its closing quote, escapes followed.
    const vs = j + 1;
    let e = vs;
    let escaped = false;
    for (;;) {
      e = quoteOrBackslash(e, end);
      if (e >= end || load<u8>(e) == QUOTE) break;
      escaped = true;
      e += 2;
    }
    if (e >= end) {
      if (!last && end - vs <= maxValue) {
        stop = keyStart;
        cut = true;
        break;
      }
      // Too long to be a link (or never closed): it stays as it is. The search resumes where the
      // input ends, inside the string, where every quote is escaped and no key can be found.
      lo = p = end;
      break;
    }
    lo = p = e + 1;
    if (e - vs > maxValue) continue;
    const shape: usize = escaped ? 0 : shapeOf(vs, e, shapes);
    if (shape != 0) {
      const flags = load<u32>(shape, 32);
      if (flags & KEPT) continue; // stays, with what follows it
      const startLen = <usize>load<u32>(shape, 4);
      const keepRest = (flags & KEEP_REST) != 0;
      const beforeLen = <usize>load<u32>(shape, 12);
      const afterLen = <usize>load<u32>(shape, 20);
      const restLen = keepRest ? e - vs - startLen : 0;
      // Room for what precedes it, the replacement, and the rest of the input at worst.
      if (o + (vs - from) + beforeLen + restLen + afterLen + (end - e) > outEnd) {
        stop = keyStart;
        cut = stoppedFull = true;
        break;
      }
      put(o, from, vs - from);
      o += vs - from;
      put(o, <usize>load<u32>(shape, 8), beforeLen);
      o += beforeLen;
      put(o, vs + startLen, restLen);
      o += restLen;
      put(o, <usize>load<u32>(shape, 16), afterLen);
      o += afterLen;
      from = e;
      rewrittenCount++;
      continue;
    }
    // What precedes the value goes out first (`put` writes past its end, where JavaScript is to
    // write), and stays out unless the call asks for more room.
    put(o, from, vs - from);
    const at = o + (vs - from);
    const n = rewriteValue(vs, e, escaped, at, <isize>outEnd - <isize>at - <isize>(end - e));
    if (n == -2) {
      stop = keyStart;
      cut = stoppedFull = true;
      break;
    }
    o = at;
    if (n >= 0) {
      o += <usize>n;
      from = e;
      rewrittenCount++;
    } else {
      from = vs; // kept: the value goes out with what follows it
    }
  }
  // Not cut at a key: unless this is the end, the last `keep` bytes come again (a key may begin there).
  if (!cut && !last) stop = min(end, max(lo, end > inp + keep ? end - keep : inp));
  memory.copy(o, from, stop - from);
  o += stop - from;
  outLength = o - out;
  backslashRun = backslashesBefore(stop, inp, before);
  return stop - inp;
}
