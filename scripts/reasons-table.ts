/**
 * The reason table (src/core/reasons.ts) as the Markdown table docs/decision.md shows
 * (`npm run docs:reasons` prints it; test/core.test.ts keeps the page equal to it).
 */
import { REASON_TABLE, REASONS } from '../src/core/reasons.ts';

const REPORT: Record<string, string> = {
  no: 'not counted',
  total: 'in the totals',
  named: 'named among passed',
  observed: 'named, and counted as observed',
};
const BANNER: Record<string, string> = {
  yes: 'yes',
  'if-off': "if the tenant's setting is off",
  no: '-',
};
const STORED: Record<string, string> = { yes: 'yes', no: 'no (a default)', unknown: '-' };
const VARIES: Record<string, string> = {
  browser: 'this browser: `private`, `Vary: Cookie, Sec-Fetch-*`',
  'fetch-metadata': '`Vary: Sec-Fetch-Mode`',
  url: 'the URL alone',
};

/** The table, one row per reason in the table's order. */
export function reasonTable(): string {
  const rows = REASONS.map((reason) => {
    const m = REASON_TABLE[reason];
    return `| \`${reason}\` | ${m.means} | ${REPORT[m.report]} | ${BANNER[m.banner]} | ${STORED[m.stored]} | ${VARIES[m.varies]} | ${m.signInMayMove ? 'yes' : '-'} |`;
  });
  return [
    '| reason | means | migration report | banner on a passed page | tenant has a stored setting | a pass depends on | hash page before a sign-in |',
    '|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}
