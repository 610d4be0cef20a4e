import type { ProductId } from '../catalogue/types';
import { type AuditEntry, isAuditEvent } from '../model/audit';
import { isToggleMode, modeOf, type ToggleRecord } from '../model/toggle';

/** Key layout: see docs/kv-schema.md. */
export const keys = {
  toggle: (tenant: string, product: ProductId) => `toggle:v1:${tenant}:${product}`,
  host: (hostname: string) => `host:v1:${hostname}`,
  auditPrefix: (tenant: string) => `audit:v1:${tenant}:`,
  audit: (tenant: string, at: string, id: string) =>
    `audit:v1:${tenant}:${String(9_999_999_999_999 - Date.parse(at)).padStart(13, '0')}:${id}`,
};

const str = (v: unknown, fallback = ''): string => (typeof v === 'string' ? v : fallback);
const obj = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/**
 * The one place stored toggle values are read: fills every default, so nothing downstream sees
 * a missing field. Returns `null` for a value that is not a toggle record at all.
 */
export function parseToggleRecord(raw: string | null): ToggleRecord | null {
  if (raw === null) return null;
  let value: Record<string, unknown>;
  try {
    value = obj(JSON.parse(raw));
  } catch {
    return null;
  }
  if (typeof value.enabled !== 'boolean') return null;
  const by =
    value.changedBy === null || value.changedBy === undefined ? null : obj(value.changedBy);
  return {
    enabled: value.enabled,
    mode: isToggleMode(value.mode) ? value.mode : modeOf(value.enabled),
    version:
      Number.isInteger(value.version) && (value.version as number) > 0
        ? (value.version as number)
        : 1,
    changedAt: typeof value.changedAt === 'string' ? value.changedAt : null,
    changedBy: by === null ? null : { oid: str(by.oid), name: str(by.name) },
    lastChange: value.lastChange ? parseAuditEntry(value.lastChange) : null,
  };
}

export function parseAuditEntry(raw: unknown): AuditEntry | null {
  const v = obj(typeof raw === 'string' ? safeJson(raw) : raw);
  if (typeof v.id !== 'string' || typeof v.at !== 'string' || typeof v.enabled !== 'boolean')
    return null;
  const actor = obj(v.actor);
  const previous = typeof v.previous === 'boolean' ? v.previous : !v.enabled;
  return {
    id: v.id,
    at: v.at,
    product: str(v.product) as ProductId,
    enabled: v.enabled,
    previous,
    mode: isToggleMode(v.mode) ? v.mode : modeOf(v.enabled),
    previousMode: isToggleMode(v.previousMode) ? v.previousMode : modeOf(previous),
    version: Number.isInteger(v.version) ? (v.version as number) : 0,
    actor: { oid: str(actor.oid), name: str(actor.name), upn: str(actor.upn), idp: str(actor.idp) },
    via: v.via === 'schedule' ? 'schedule' : 'admin',
    feedback: typeof v.feedback === 'string' ? v.feedback : null,
    event: isAuditEvent(v.event) ? v.event : 'change',
    scheduledFor: typeof v.scheduledFor === 'string' ? v.scheduledFor : null,
  };
}

export function parseHostRecord(raw: string | null): string | null {
  if (raw === null) return null;
  const tenant = obj(safeJson(raw)).tenantId;
  return typeof tenant === 'string' ? tenant.toLowerCase() : null;
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return null;
  }
}
