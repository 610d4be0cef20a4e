import { PRODUCT_IDS } from '../catalogue/types';
import type { AuditQuery } from './types';

/** A WHERE clause made of fixed fragments; user values only ever travel as bindings. */
export interface AuditFilter {
  where: string[];
  bindings: (string | number)[];
}

const MAX_ACTOR_CHARS = 512;

/** The filter for a query (rows older than `cutoffMs` are past retention), or why it is invalid. */
export function auditFilter(query: AuditQuery, cutoffMs: number): AuditFilter | string {
  const filter: AuditFilter = { where: ['at_ms >= ?'], bindings: [cutoffMs] };
  if (query.product !== undefined) {
    if (!(PRODUCT_IDS as readonly string[]).includes(query.product)) return 'unknown product';
    filter.where.push('product = ?');
    filter.bindings.push(query.product);
  }
  if (query.actor !== undefined) {
    if (
      typeof query.actor !== 'string' ||
      query.actor === '' ||
      query.actor.length > MAX_ACTOR_CHARS
    )
      return 'actor must be a non-empty string';
    filter.where.push('(actor_oid = ? OR lower(actor_upn) = lower(?))');
    filter.bindings.push(query.actor, query.actor);
  }
  for (const [name, op] of [
    ['from', '>='],
    ['to', '<'],
  ] as const) {
    const raw = query[name];
    if (raw === undefined) continue;
    const ms = typeof raw === 'string' ? Date.parse(raw) : Number.NaN;
    if (Number.isNaN(ms)) return `${name} must be an ISO-8601 instant`;
    filter.where.push(`at_ms ${op} ?`);
    filter.bindings.push(ms);
  }
  return filter;
}

/** Rows strictly after (older than) a row, in the log's newest-first order. */
export function after(filter: AuditFilter, atMs: number, seq: number): AuditFilter {
  return {
    where: [...filter.where, '(at_ms < ? OR (at_ms = ? AND seq < ?))'],
    bindings: [...filter.bindings, atMs, atMs, seq],
  };
}

/**
 * Cursors name the last row of a page by its position (time, then insertion order), so pages
 * stay stable while new changes arrive: those sort before the first page.
 */
export function encodeCursor(atMs: number, seq: number): string {
  return btoa(`${atMs}.${seq}`).replace(/=+$/, '');
}

export function decodeCursor(cursor: string): { atMs: number; seq: number } | null {
  if (typeof cursor !== 'string' || cursor.length > 64 || !/^[A-Za-z0-9+/]+$/.test(cursor))
    return null;
  let text: string;
  try {
    text = atob(cursor.padEnd(cursor.length + ((4 - (cursor.length % 4)) % 4), '='));
  } catch {
    return null;
  }
  const m = /^(-?\d{1,16})\.(\d{1,16})$/.exec(text);
  if (!m) return null;
  const atMs = Number(m[1]);
  const seq = Number(m[2]);
  return Number.isSafeInteger(atMs) && Number.isSafeInteger(seq) ? { atMs, seq } : null;
}
