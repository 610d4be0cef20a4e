import type { DeepLinkRow, DeepLinkTable } from '../catalogue/types';

/** Where a legacy path lands on the unified portal (shared between requests: never changed). */
export interface MappedPath {
  readonly path: string;
  /** The row's fixed query (no leading `?`), parameters filled in; `null` when it has none. */
  readonly fixedQuery: string | null;
  readonly keepQuery: boolean;
  /** False when no row matched and the unified home was chosen. */
  readonly matched: boolean;
}

interface CompiledRow {
  from: string[];
  to: string[];
  /** The target's fixed query, split at its `:name` parameters (odd entries are names). */
  query: string[] | null;
  tail: boolean;
  keepQuery: boolean;
}

const HOME: MappedPath = { path: '/', fixedQuery: null, keepQuery: false, matched: false };
const SEGMENT_CHARS = /^[A-Za-z0-9._~!$&'()*+,;=:@%-]+$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this rejects.
const UNSAFE_DECODED = /[/\\\u0000-\u001f\u007f]/;

/** Split a raw path into its non-empty segments; backslashes count as separators. */
export function pathSegments(path: string): string[] {
  const parts = path.includes('\\') ? path.split(/[/\\]/) : path.split('/');
  const segments: string[] = [];
  for (const part of parts) if (part.length > 0) segments.push(part);
  return segments;
}

/**
 * A segment that may be copied into a unified URL: only URL-safe characters, well-formed
 * percent-escapes, and nothing that decodes to a dot segment or a separator.
 */
export function isSafeSegment(segment: string): boolean {
  if (!SEGMENT_CHARS.test(segment)) return false;
  if (!segment.includes('%')) return segment !== '.' && segment !== '..';
  let decoded: string;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    return false;
  }
  return decoded !== '.' && decoded !== '..' && !UNSAFE_DECODED.test(decoded);
}

function compile(row: DeepLinkRow): CompiledRow {
  const from = pathSegments(row.from);
  const tail = from[from.length - 1] === '*';
  const q = row.to.indexOf('?');
  return {
    from: (tail ? from.slice(0, -1) : from).map((s) => (s.startsWith(':') ? s : s.toLowerCase())),
    to: pathSegments(q === -1 ? row.to : row.to.slice(0, q)),
    query: q === -1 ? null : row.to.slice(q + 1).split(/(:[A-Za-z]+)/),
    tail,
    keepQuery: row.query === 'keep',
  };
}

/**
 * A compiled deep-link table. Rows are bucketed by their first literal segment, so a lookup
 * touches only the rows that can match, whatever the table's size.
 */
export class DeepLinkMap {
  private readonly byFirst = new Map<string, CompiledRow[]>();
  private readonly generic: CompiledRow[] = [];

  constructor(table: DeepLinkTable) {
    for (const row of table.rows.map(compile)) {
      const first = row.from[0];
      if (first === undefined || !first.startsWith(':')) {
        const key = first ?? '';
        const bucket = this.byFirst.get(key) ?? [];
        bucket.push(row);
        this.byFirst.set(key, bucket);
      } else {
        this.generic.push(row);
      }
    }
  }

  /** Map a raw legacy path; anything no row matches goes to the unified home page. */
  map(path: string): MappedPath {
    const segments = pathSegments(path);
    for (const segment of segments) if (!isSafeSegment(segment)) return HOME;
    return this.mapSafeSegments(segments);
  }

  /**
   * Map segments the caller has already proven safe (plain characters, no escapes, none a dot
   * segment): `map` without its per-segment checks.
   */
  mapSafeSegments(segments: string[]): MappedPath {
    return (
      firstMatch(this.byFirst.get(segments[0]?.toLowerCase() ?? ''), segments) ??
      firstMatch(this.generic, segments) ??
      HOME
    );
  }

  /**
   * When no row that could match `segments` tests the value of the last one (it is a parameter or
   * inside a `*` tail in all of them), the mapped path written around that value: `pieces` joined
   * by any other safe segment is what `mapSafeSegments` gives with it in last place. `null` when
   * the value decides (a row has a literal there) or the last segment is the first.
   */
  aroundLast(segments: string[]): { pieces: string[]; keepQuery: boolean } | null {
    const last = segments.length - 1;
    if (last < 1) return null;
    for (const rows of [
      this.byFirst.get((segments[0] as string).toLowerCase()) ?? [],
      this.generic,
    ]) {
      for (const row of rows)
        if (
          row.query !== null ||
          (last < row.from.length && (row.from[last] as string).charCodeAt(0) !== 58) /* : */
        )
          return null;
    }
    const mapped = this.mapSafeSegments([...segments.slice(0, last), VALUE_MARK]);
    return { pieces: mapped.path.split(VALUE_MARK), keepQuery: mapped.keepQuery };
  }
}

/** Stands for the last segment in `aroundLast`: a character no safe segment contains. */
const VALUE_MARK = '\u0000';

function firstMatch(rows: CompiledRow[] | undefined, segments: string[]): MappedPath | null {
  if (rows === undefined) return null;
  for (const row of rows) {
    const mapped = apply(row, segments);
    if (mapped !== null)
      return {
        path: mapped,
        fixedQuery: row.query === null ? null : fixedQuery(row, segments),
        keepQuery: row.keepQuery,
        matched: true,
      };
  }
  return null;
}

/** The row's fixed query with each `:name` replaced by its segment, percent-encoded. */
function fixedQuery(row: CompiledRow, segments: string[]): string {
  const parts = row.query as string[];
  let out = '';
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    out += i % 2 === 0 ? part : encodeURIComponent(segments[row.from.indexOf(part)] ?? '');
  }
  return out;
}

function apply(row: CompiledRow, segments: string[]): string | null {
  if (row.tail ? segments.length <= row.from.length : segments.length !== row.from.length)
    return null;
  for (let i = 0; i < row.from.length; i++) {
    const want = row.from[i] as string;
    if (want.charCodeAt(0) !== 58 /* : */ && want !== (segments[i] as string).toLowerCase())
      return null;
  }
  let out = '';
  for (const s of row.to) {
    const part =
      s === '*'
        ? segments.slice(row.from.length).join('/')
        : s.charCodeAt(0) === 58
          ? (segments[row.from.indexOf(s)] ?? '')
          : s;
    if (part.length > 0) out += `/${part}`;
  }
  return out === '' ? '/' : out;
}

/** True when the path starts with one of the prefixes, segment by segment, ignoring case. */
export function isUnderAny(path: string, prefixes: readonly string[]): boolean {
  if (prefixes.length === 0) return false;
  // Most paths start like no prefix: their first segment alone says so, without a split.
  const candidates = compiledPrefixes(prefixes).get(firstSegment(path).toLowerCase());
  if (candidates === undefined) return false;
  const segments = pathSegments(path.toLowerCase());
  return candidates.some((want) => want.every((s, i) => segments[i] === s));
}

/** `isUnderAny` for a path already split into its segments (none empty, no backslash). */
export function isUnderAnySegments(
  segments: readonly string[],
  prefixes: readonly string[],
): boolean {
  const candidates = candidatesFor(segments, prefixes);
  if (candidates === undefined) return false;
  return candidates.some(
    (want) =>
      want.length <= segments.length &&
      want.every((s, i) => (segments[i] as string).toLowerCase() === s),
  );
}

/**
 * True when a prefix as long as `segments` matches all of them but the last: the last segment's
 * value decides whether the path is under it.
 */
export function prefixEndsAtLast(
  segments: readonly string[],
  prefixes: readonly string[],
): boolean {
  const candidates = candidatesFor(segments, prefixes);
  if (candidates === undefined) return false;
  const last = segments.length - 1;
  return candidates.some(
    (want) =>
      want.length === segments.length &&
      want.every((s, i) => i === last || (segments[i] as string).toLowerCase() === s),
  );
}

/** The prefixes, split, that start with the first of `segments` (ignoring case). */
function candidatesFor(
  segments: readonly string[],
  prefixes: readonly string[],
): readonly (readonly string[])[] | undefined {
  const first = segments[0];
  if (prefixes.length === 0 || first === undefined) return undefined;
  return compiledPrefixes(prefixes).get(first.toLowerCase());
}

/** `pathSegments(path)[0] ?? ''`, without splitting the rest of the path. */
function firstSegment(path: string): string {
  let start = 0;
  while (start < path.length && (path[start] === '/' || path[start] === '\\')) start++;
  let end = start;
  while (end < path.length && path[end] !== '/' && path[end] !== '\\') end++;
  return path.slice(start, end);
}

/**
 * Each prefix list (catalogue data) split once per isolate, not once per request, and grouped by
 * first segment: a path is compared with the prefixes that start like it, not with all of them.
 */
const prefixCache = new WeakMap<readonly string[], Map<string, string[][]>>();
function compiledPrefixes(prefixes: readonly string[]): Map<string, string[][]> {
  let compiled = prefixCache.get(prefixes);
  if (compiled === undefined) {
    compiled = new Map();
    for (const prefix of prefixes) {
      const want = pathSegments(prefix.toLowerCase());
      const first = want[0];
      if (first === undefined) continue;
      compiled.set(first, [...(compiled.get(first) ?? []), want]);
    }
    prefixCache.set(prefixes, compiled);
  }
  return compiled;
}
