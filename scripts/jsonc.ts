/**
 * wrangler.jsonc as JSON: comments removed outside strings (a `//` inside a route pattern or a
 * URL stays), then JSON.parse. No trailing commas are written there; this parser would refuse
 * them. No imports: the workerd tests read it too (test/routes.test.ts).
 *
 * @example parseJsonc('{"a": "x//y", // c\n "b": 1}') // { a: 'x//y', b: 1 }
 */
export function parseJsonc(text: string): unknown {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (ch === '"') {
      const start = i;
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
      out += text.slice(start, i + 1);
    } else if (ch === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else if (ch === '/' && text[i + 1] === '*') {
      i = text.indexOf('*/', i + 2) + 1;
    } else out += ch;
  }
  return JSON.parse(out);
}
