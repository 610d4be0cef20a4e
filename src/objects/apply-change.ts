import type { AuditEntry, ToggleRecord } from '../store/records';
import { modeOf } from '../store/records';
import type { SettingsSql } from './schema';
import type { ChangeOutcome, ChangeRequest } from './types';

/**
 * One change and its audit row, inside the caller's `transactionSync`: the admin's own (the API)
 * and a scheduled one (the alarm, `via: 'schedule'`, on behalf of the admin who set it) alike.
 */
export function applyChange(
  db: SettingsSql,
  request: ChangeRequest,
  via: AuditEntry['via'],
  now: number,
  retentionMs: number,
  /** The audit entry's id (a scheduled change's application has one derived from the schedule). */
  entryId: string = crypto.randomUUID(),
): ChangeOutcome {
  const current = db.toggle(request.product);
  const version = current?.version ?? 0;
  if (request.ifMatch !== undefined && request.ifMatch !== version)
    return { ok: false, error: 'precondition_failed', current: version };
  const mode = current?.record.mode ?? modeOf(request.defaultEnabled);
  if (mode === request.mode)
    return { ok: true, record: current?.record ?? null, changed: false, kvSynced: false };
  const at = new Date(now).toISOString();
  const entry: AuditEntry = {
    id: entryId,
    at,
    product: request.product,
    enabled: request.mode === 'on',
    previous: mode === 'on',
    mode: request.mode,
    previousMode: mode,
    version: version + 1,
    actor: request.actor,
    via,
    // Feedback is asked for when turning redirection off only.
    feedback: request.mode === 'off' ? request.feedback : null,
    event: 'change',
    scheduledFor: null,
  };
  const record: ToggleRecord = {
    enabled: request.mode === 'on',
    mode: request.mode,
    version: entry.version,
    changedAt: at,
    changedBy: { oid: request.actor.oid, name: request.actor.name },
    lastChange: entry,
  };
  db.insertAudit(entry, 'object');
  db.putToggle(request.product, record);
  db.pruneAudit(now - retentionMs);
  return { ok: true, record, changed: true, kvSynced: false };
}
