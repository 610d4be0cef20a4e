import { pathSegments } from './deeplinks';

/** Segments kept in a template; a longer path ends in `/*`. */
const MAX_SEGMENTS = 6;
/** A segment kept as it is: letters with `-`, `_` or `.` between them, not too long. */
const WORD = /^[a-z][a-z._-]{0,39}$/;
const GUID = /^\{?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}\}?$/;
const NUMBER = /^\d+$/;
// Defender alert and incident ids: a short prefix then a long run of digits (`da637…`, `ed…`,
// `fa…_…`), possibly with `_` or `-` parts.
const ALERT_ID = /^[a-z]{1,4}[0-9][0-9a-z_-]{5,}$/;
const HEX = /^[0-9a-f]{12,}$/;

/**
 * A legacy path as a template safe to store and show: every segment that is not a plain word
 * becomes a placeholder (`:guid`, `:alert-id`, `:n`, `:hex`, `:value`), so no id, token, address
 * or encoded text survives; the query is never part of it. Literal words are lower-cased.
 */
export function pathTemplate(path: string): string {
  const segments = pathSegments(path);
  if (segments.length === 0) return '/';
  let out = '';
  for (let i = 0; i < segments.length && i < MAX_SEGMENTS; i++)
    out += `/${placeholder((segments[i] as string).toLowerCase())}`;
  return segments.length > MAX_SEGMENTS ? `${out}/*` : out;
}

function placeholder(segment: string): string {
  if (WORD.test(segment)) return segment;
  if (GUID.test(segment)) return ':guid';
  if (NUMBER.test(segment)) return ':n';
  if (HEX.test(segment)) return ':hex';
  if (ALERT_ID.test(segment)) return ':alert-id';
  return ':value';
}
