/**
 * `npm run docs:reasons`: print the reason table as docs/decision.md shows it. After changing a
 * reason in src/core/reasons.ts, paste this over the page's table (a test compares the two).
 */
import { reasonTable } from './reasons-table.ts';

console.log(reasonTable());
