/**
 * The folders under src/ import one way only (docs/architecture.md, "Import direction"): each
 * unit may import units of a lower layer, never its own layer's peers or anything above. A
 * violation (and so any folder cycle) fails `npm run lint`.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const LAYERS: readonly (readonly string[])[] = [
  ['lib', 'catalogue'],
  ['model'],
  ['core'],
  ['store', 'config', 'siem'],
  ['objects'],
  ['errors.ts'],
  ['i18n'],
  ['edge', 'settings'],
  ['auth'],
  ['api', 'pages'],
  ['admin.ts'],
  ['index.ts'],
];
const rank = new Map(LAYERS.flatMap((units, layer) => units.map((u) => [u, layer] as const)));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'assembly' ? [] : files(path);
    return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** `src/edge/app.ts` -> `edge`; `src/config.ts` -> `config.ts`. */
const unitOf = (path: string) => relative('src', path).split('/')[0] as string;

const problems: string[] = [];
for (const file of files('src')) {
  const from = unitOf(file);
  const text = readFileSync(file, 'utf8');
  for (const [, spec] of text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)) {
    const target = unitOf(join(file, '..', spec as string).replace(/\.tsx?$/, ''));
    const to = rank.has(target) ? target : rank.has(`${target}.ts`) ? `${target}.ts` : target;
    if (to === from) continue;
    const a = rank.get(from);
    const b = rank.get(to);
    if (a === undefined || b === undefined)
      problems.push(`${file}: unit ${a === undefined ? from : to} has no layer`);
    else if (b >= a) problems.push(`${file} imports ${spec}: ${from} may not depend on ${to}`);
  }
}
if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(`layers: ${files('src').length} files, imports run one way`);
