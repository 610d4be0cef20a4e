/**
 * The settings' limits, each defined once: the API's schemas, the pages' forms (and their
 * `maxlength`), the object and the docs (docs/api.md) read them from here.
 */

/** Feedback an admin may leave when turning redirection off. */
export const MAX_FEEDBACK_CHARS = 2_000;
/** An actor's object id, name, UPN or identity provider; also the audit filter's actor. */
export const MAX_ACTOR_CHARS = 512;
/** Audit entries in one page: the API's `limit` runs 1..MAX_AUDIT_PAGE. */
export const MAX_AUDIT_PAGE = 100;
/** Audit entries in a page when the API's `limit` is not given. */
export const DEFAULT_AUDIT_PAGE = 50;
/** Audit entries on one screen of the audit view. */
export const AUDIT_VIEW_PAGE = 20;
/** An audit page's opaque cursor. */
export const MAX_CURSOR_CHARS = 64;
/** A scheduled change's id as a client may send it (ids are GUIDs). */
export const MAX_SCHEDULE_ID_CHARS = 64;
/** Pending scheduled changes one tenant may hold. */
export const MAX_PENDING_SCHEDULES = 50;
/** How far ahead a change may be scheduled. */
export const MAX_SCHEDULE_AHEAD_MS = 366 * 86_400_000;
/** The legacy URL `explain` is asked about. */
export const MAX_EXPLAIN_URL_CHARS = 16_384;
/** A request body on the admin side (API and pages), checked before it is parsed. */
export const MAX_BODY_BYTES = 16 * 1024;
