/**
 * The first value of a query parameter, decoded as URLSearchParams would. Without `%` or `+`
 * nothing needs decoding, so the pairs are read in place; otherwise URLSearchParams answers.
 */
export function queryParam(query: string, name: string): string | null {
  if (!query.includes(name)) return null;
  if (query.includes('%') || query.includes('+')) return new URLSearchParams(query).get(name);
  // The next `=` at or after `start`, searched again only once passed: one scan in all.
  let eq = query.indexOf('=');
  for (let start = 0; start <= query.length; ) {
    let end = query.indexOf('&', start);
    if (end === -1) end = query.length;
    if (eq !== -1 && eq < start) eq = query.indexOf('=', start);
    const nameEnd = eq === -1 || eq > end ? end : eq;
    if (nameEnd - start === name.length && query.startsWith(name, start))
      return nameEnd === end ? '' : query.slice(nameEnd + 1, end);
    start = end + 1;
  }
  return null;
}
