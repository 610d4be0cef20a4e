/**
 * The first value of a query parameter, decoded as URLSearchParams would. Without `%` or `+`
 * nothing needs decoding, so the pairs are read in place; otherwise URLSearchParams answers.
 */
export function queryParam(query: string, name: string): string | null {
  if (!query.includes(name)) return null;
  if (query.includes('%') || query.includes('+')) return new URLSearchParams(query).get(name);
  for (const pair = new QueryPairs(query); pair.next(); )
    if (pair.nameEnd - pair.start === name.length && query.startsWith(name, pair.start))
      return pair.nameEnd === pair.end ? '' : query.slice(pair.nameEnd + 1, pair.end);
  return null;
}

/**
 * `queryParam` for a name matched without regard to case: the first pair whose name, decoded, is
 * `name` in any case (`name` given in lower-case ASCII letters). A link's `?TID=` names its tenant
 * as `?tid=` does.
 */
export function queryParamAnyCase(query: string, name: string): string | null {
  if (query.length < name.length) return null;
  if (query.includes('%') || query.includes('+')) {
    for (const [key, value] of new URLSearchParams(query))
      if (key.length === name.length && sameLetters(key, 0, name)) return value;
    return null;
  }
  // The pairs read in place, as QueryPairs reads them, without an object: this runs on every
  // redirect, and most queries name no tenant.
  let eq = query.indexOf('=');
  for (let start = 0; start <= query.length; ) {
    let end = query.indexOf('&', start);
    if (end === -1) end = query.length;
    if (eq !== -1 && eq < start) eq = query.indexOf('=', start);
    const nameEnd = eq === -1 || eq > end ? end : eq;
    if (nameEnd - start === name.length && sameLetters(query, start, name))
      return nameEnd === end ? '' : query.slice(nameEnd + 1, end);
    start = end + 1;
  }
  return null;
}

/**
 * The raw query without the pairs whose name, decoded, is `name` in any case (`name` in
 * lower-case ASCII letters); every other pair kept as it was written.
 */
export function withoutParamAnyCase(query: string, name: string): string {
  return query
    .split('&')
    .filter((pair) => {
      const eq = pair.indexOf('=');
      let key = eq === -1 ? pair : pair.slice(0, eq);
      if (key.includes('%') || key.includes('+'))
        try {
          key = decodeURIComponent(key.replace(/\+/g, ' '));
        } catch {
          return true;
        }
      return !(key.length === name.length && sameLetters(key, 0, name));
    })
    .join('&');
}

/** `text` holds `letters` (lower-case ASCII letters) at `at`, in either case. */
function sameLetters(text: string, at: number, letters: string): boolean {
  for (let i = 0; i < letters.length; i++)
    // Setting bit 0x20 lower-cases an ASCII letter; no other character becomes one by it.
    if ((text.charCodeAt(at + i) | 0x20) !== letters.charCodeAt(i)) return false;
  return true;
}

/**
 * The `&`-separated pairs of a raw query, in order, read in place: `next()` moves to the next
 * pair (false once past the last), whose name is `[start, nameEnd)` and which ends at `end`. An
 * empty query has one empty pair. The next `=` is searched again only once passed, so a query
 * of many pairs without a value is still one scan.
 */
export class QueryPairs {
  start = 0;
  nameEnd = 0;
  end = -1;
  private eq: number;

  constructor(private readonly query: string) {
    this.eq = query.indexOf('=');
  }

  next(): boolean {
    const query = this.query;
    const start = this.end + 1;
    if (start > query.length) return false;
    let end = query.indexOf('&', start);
    if (end === -1) end = query.length;
    if (this.eq !== -1 && this.eq < start) this.eq = query.indexOf('=', start);
    this.start = start;
    this.end = end;
    this.nameEnd = this.eq === -1 || this.eq > end ? end : this.eq;
    return true;
  }
}
