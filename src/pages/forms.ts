import * as v from 'valibot';
import { isProductId } from '../catalogue/products';
import { AppError } from '../errors';
import type { AuditQuery } from '../model/audit';
import type { Change, ScheduleInput } from '../model/changes';
import { AUDIT_VIEW_PAGE, MAX_ACTOR_CHARS, MAX_CURSOR_CHARS } from '../model/limits';
import { AuditQuerySchema, ChangeBodySchema, ScheduleBodySchema } from '../model/schemas';
import type { AuditFilters } from './audit-view';

/**
 * The pages' forms read into the domain's requests, through the same schemas as the API
 * (model/schemas.ts): a form only says in form words (`enabled=true`, a blank feedback, a day)
 * what a JSON body says in its own.
 */

type Form = Record<string, unknown>;

const FORM_BOOLEANS: ReadonlyMap<string, boolean> = new Map([
  ['true', true],
  ['false', false],
]);

/** A field as the form sent it: text, or `undefined` (absent, or a file). */
const text = (form: Form, name: string): string | undefined =>
  typeof form[name] === 'string' ? (form[name] as string) : undefined;

/**
 * A change of one product: `mode=on|off|observe`, or the older `enabled=true|false`, and the
 * feedback (blank is none). A form that names no state is refused: it must not turn
 * redirection off.
 */
export function changeForm(form: Form): Omit<Change, 'product' | 'ifMatch'> {
  const mode = text(form, 'mode');
  const enabled = text(form, 'enabled');
  const feedback = text(form, 'feedback')?.trim();
  const parsed = v.safeParse(ChangeBodySchema, {
    ...(mode !== undefined ? { mode } : {}),
    // The form's words for the JSON body's booleans; any other text stays text, and is refused.
    ...(enabled !== undefined ? { enabled: FORM_BOOLEANS.get(enabled) ?? enabled } : {}),
    feedback: feedback ? feedback : null,
  });
  if (!parsed.success) throw new AppError('invalid_request', v.summarize(parsed.issues));
  return parsed.output;
}

/** The version a form showed (`version`), or `undefined` for a form from before versions. */
export function shownVersion(raw: unknown): number | undefined {
  if (typeof raw !== 'string' || !/^\d{1,9}$/.test(raw)) return undefined;
  return Number(raw);
}

/**
 * A change for later: the product, the mode and the instant, which is the script's `atUtc` (the
 * admin's local time, converted in the browser), else the field read as UTC (a browser without
 * script, whose label says UTC). `null` when the form names no time it can read.
 */
export function scheduleForm(form: Form): ScheduleInput | { refused: 'no-time' } {
  const parsed = v.safeParse(ScheduleBodySchema, {
    product: text(form, 'product'),
    mode: text(form, 'mode'),
    at: scheduledInstant(form) ?? '',
  });
  if (parsed.success) return parsed.output;
  const onlyTime = parsed.issues.every((issue) => issue.path?.[0]?.key === 'at');
  if (onlyTime) return { refused: 'no-time' };
  throw new AppError('not_found', 'No such product.');
}

function scheduledInstant(form: Form): string | null {
  const utc = text(form, 'atUtc');
  if (utc !== undefined && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?Z$/.test(utc)) {
    const ms = Date.parse(utc);
    if (Number.isFinite(ms)) return new Date(ms).toISOString();
  }
  const local = text(form, 'at');
  if (local === undefined || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(local)) return null;
  const ms = Date.parse(`${local}Z`);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

/** The audit view's filters as the form holds them (dates are UTC days, `to` inclusive). */
export function auditFilters(query: Record<string, string | undefined>): AuditFilters {
  return {
    product: isProductId(query.product ?? '') ? (query.product as string) : '',
    actor: (query.actor ?? '').trim().slice(0, MAX_ACTOR_CHARS),
    from: query.from ?? '',
    to: query.to ?? '',
  };
}

/**
 * The audit query the filters ask for, a screen of entries from `cursor`; `null` when a filter
 * is not one the API would take (an unknown product, a day that is not one).
 */
export function auditForm(filters: AuditFilters, cursor: string | undefined): AuditQuery | null {
  const from = filters.from === '' ? undefined : dayInstant(filters.from, false);
  const to = filters.to === '' ? undefined : dayInstant(filters.to, true);
  if (from === null || to === null) return null;
  const parsed = v.safeParse(AuditQuerySchema, {
    limit: AUDIT_VIEW_PAGE,
    ...(filters.product ? { product: filters.product } : {}),
    ...(filters.actor ? { actor: filters.actor } : {}),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
    ...(cursor && cursor.length <= MAX_CURSOR_CHARS ? { cursor } : {}),
  });
  return parsed.success ? parsed.output : null;
}

/** A UTC day (`YYYY-MM-DD`) as an instant: its start, or (`end`) the next day's start. */
function dayInstant(day: string, end: boolean): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return null;
  const ms = Date.parse(`${day}T00:00:00Z`);
  return Number.isFinite(ms) ? new Date(ms + (end ? 86_400_000 : 0)).toISOString() : null;
}
