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
