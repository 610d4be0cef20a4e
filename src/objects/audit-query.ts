import type { AuditQuery } from '../model/audit';
import { MAX_CURSOR_CHARS } from '../model/limits';

/** A WHERE clause made of fixed fragments; user values only ever travel as bindings. */
export interface AuditFilter {
  where: string[];
  bindings: (string | number)[];
}

/**
 * The filter for a query (validated where it entered: model/schemas.ts); rows older than
 * `cutoffMs` are past retention.
 */
export function auditFilter(query: AuditQuery, cutoffMs: number): AuditFilter {
  const filter: AuditFilter = { where: ['at_ms >= ?'], bindings: [cutoffMs] };
  if (query.product !== undefined) {
    filter.where.push('product = ?');
    filter.bindings.push(query.product);
  }
  if (query.actor !== undefined) {
    filter.where.push('(actor_oid = ? OR lower(actor_upn) = lower(?))');
    filter.bindings.push(query.actor, query.actor);
  }
  if (query.from !== undefined) {
    filter.where.push('at_ms >= ?');
    filter.bindings.push(Date.parse(query.from));
  }
  if (query.to !== undefined) {
    filter.where.push('at_ms < ?');
    filter.bindings.push(Date.parse(query.to));
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
  if (
    typeof cursor !== 'string' ||
    cursor.length > MAX_CURSOR_CHARS ||
    !/^[A-Za-z0-9+/]+$/.test(cursor)
  )
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
