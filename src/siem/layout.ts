/**
 * The scanner's WebAssembly memory, as scanner.ts writes it and assembly/json-scan.ts reads
 * it. The constants the two sides must agree on are also exported by the module itself
 * (its `layout()` export), and test/siem-layout.test.ts compares them.
 */

/** Shapes kept per body, the most recent first. */
export const SHAPES = 8;

/** A value longer than this (in bytes, between its quotes) is passed through unchanged rather than held. */
export const MAX_VALUE_BYTES = 64 * 1024;
/**
 * The upstream body is read in batches of at least this many bytes, each scanned by one call:
 * every read, call and chunk sent has a fixed cost, so fewer, larger batches cost less CPU (see
 * docs/siem.md). One batch, its output and one held value are what a request holds.
 */
export const READ_BYTES = 512 * 1024;
/** The buffer each read fills: a batch and a margin, so a read rarely stops short of READ_BYTES. */
export const READ_VIEW = READ_BYTES + 64 * 1024;

// WebAssembly memory (one instance per isolate, used by one scan call at a time):
export const PAGE = 64 * 1024;
/** Character tables of the link shapes' variable parts, written once. */
export const TABLES = PAGE;
export const CLASS_SIZE = 1024;
/** Within a class table: the `first` table at 0, the `then` table at THEN_AT, its nibble form at NIBBLES_AT. */
export const THEN_AT = 256;
export const NIBBLES_AT = 512;
/** The scanning body's keys, shapes and their texts, written before each call. */
export const SETTINGS = 2 * PAGE;
export const SETTINGS_SIZE = 2 * PAGE;
export const SHAPES_AT = 4 * 1024; // within SETTINGS
export const SHAPE_SIZE = 40;
export const TEXTS_AT = SHAPES_AT + 4 + SHAPES * SHAPE_SIZE;
/** The input of one call: what was carried from the last, then at most PIECE new bytes (a whole read, so its output is one chunk). */
export const INPUT = SETTINGS + SETTINGS_SIZE;
export const PIECE = READ_VIEW;
export const INPUT_SIZE = 8 * PAGE + PIECE;
export const OUTPUT = INPUT + INPUT_SIZE;
export const OUTPUT_SIZE = 4 * INPUT_SIZE;
export const MEMORY_PAGES = (OUTPUT + OUTPUT_SIZE) / PAGE;
/** The bytes at the end of the output area the scan keeps free (json-scan.ts `put` writes whole blocks, up to 31 bytes past). */
export const OUTPUT_SLACK = 32;
/** A replacement longer than this (bytes) stays the original value: it could not fit in an output. */
export const MAX_REPLACEMENT_BYTES = OUTPUT_SIZE - OUTPUT_SLACK - INPUT_SIZE;
export const KEEP_REST = 1;
export const KEPT_AS_IT_IS = 2;
export const MIN_ONE = 4;
/** A shape whose links are their own replacement (`rewriteLinkShaped`'s kept links): the scan leaves them. */
export const KEPT = 8;
