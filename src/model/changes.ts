import type { ProductId } from '../catalogue/types';
import type { Actor, AuditEntry } from './audit';
import type { ToggleMode, ToggleRecord } from './toggle';

/** A change as an admin asks for it (the API's PUT, the page's form), validated by schemas.ts. */
export interface Change {
  product: ProductId;
  mode: ToggleMode;
  feedback: string | null;
  /** Expected current version (0: never changed); `undefined` for no precondition. */
  ifMatch?: number;
}

/** One admin's change, as the settings service hands it to the tenant's object. */
export interface ChangeRequest extends Change {
  tenant: string;
  actor: Actor;
}

export interface ChangeResult {
  /** The record after the change (`null`: the tenant never chose and nothing changed). */
  record: ToggleRecord | null;
  /** `false` when the value was already set: nothing written, version unchanged. */
  changed: boolean;
  /** The edge's KV record holds this change (else the object's alarm re-writes it). */
  kvSynced: boolean;
}

/** A change for later, as an admin asks for it. */
export interface ScheduleInput {
  product: ProductId;
  mode: ToggleMode;
  /** ISO-8601 instant. */
  at: string;
}

/** A change an admin set for later; the alarm applies it at `at` on the admin's behalf. */
export interface ScheduleRequest extends ScheduleInput {
  tenant: string;
  actor: Actor;
}

export interface ScheduledChange {
  id: string;
  product: ProductId;
  mode: ToggleMode;
  /** When it is applied (ISO-8601, UTC). */
  at: string;
  createdAt: string;
  /** The admin who set it: the audit entry names them, `via: 'schedule'`. */
  actor: Actor;
}

/** Why a scheduled change is refused: a stable code (the pages say each in words) and a message. */
export type ScheduleRefusal = 'no-time' | 'too-soon' | 'too-far' | 'too-many';

/**
 * A cancellation's answer: cancelled, or `gone` (no longer pending) with the audit entry of its
 * cancellation (who, when) or of its application, `null` when the log has neither.
 */
export type CancelResult =
  | { ok: true; cancelled: ScheduledChange }
  | { ok: false; fate: AuditEntry | null };
