import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AdminEnv } from '../auth/context';
import { bearerAuth, tenantAccess } from '../auth/middleware';
import { AppError, tooLarge } from '../errors';
import { MAX_BODY_BYTES } from '../model/limits';
import type { AuditEntry } from '../model/audit';
import { openApiDocument } from './openapi';
import type { RouteSpec } from './route-spec';
import { defineRoute, register } from './route-spec';
import * as s from './schemas';
import { exportResponse } from '../settings/export-response';

const ETAG_HEADER = ['ETag'];

/** 404 for a schedule no longer pending, saying what became of it when the log knows. */
function scheduleGone(fate: AuditEntry | null): AppError {
  const message =
    fate === null
      ? 'No such scheduled change: it was applied or cancelled already.'
      : fate.event === 'schedule-cancelled'
        ? `This scheduled change was already cancelled by ${fate.actor.name || fate.actor.upn} at ${fate.at}.`
        : `This scheduled change was already applied at ${fate.at}.`;
  return new AppError('not_found', message);
}

/** `If-Match: "3"` (or W/"3") -> 3; `*` or absent -> no precondition; anything else matches nothing. */
export function parseIfMatch(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === '*') return undefined;
  const m = /^\s*(?:W\/)?"(\d{1,15})"\s*$/.exec(header);
  return m ? Number(m[1]) : -1;
}

/**
 * The settings API's routes: validation and the HTTP shape only; what they do is the settings
 * service's (c.env.settings), under the access the mount's middleware established.
 */
export const ROUTES: readonly RouteSpec[] = [
  defineRoute({
    method: 'get',
    path: '/tenants/{tenantId}/redirection',
    summary: "The tenant's redirection state for every product, in catalogue order.",
    params: s.TenantParams,
    responses: { 200: { description: 'State per product', schema: s.TenantStateSchema } },
    handler: async (c, { params }) =>
      c.json({
        tenantId: params.tenantId,
        products: await c.env.settings.states(c.get('access')),
      }),
  }),
  defineRoute({
    method: 'get',
    path: '/tenants/{tenantId}/redirection/audit',
    summary:
      'Changes to the toggles, newest first; filters by product, actor (object id or UPN) and time range (from inclusive, to exclusive), paged by an opaque cursor.',
    params: s.TenantParams,
    query: s.AuditQuery,
    responses: { 200: { description: 'A page of audit entries', schema: s.AuditPageSchema } },
    handler: async (c, { query }) => c.json(await c.env.settings.audit(c.get('access'), query)),
  }),
  defineRoute({
    method: 'get',
    path: '/tenants/{tenantId}/redirection/audit/export',
    summary:
      'The whole audit log (within retention), newest first, as a CSV file (cells a spreadsheet would run as a formula are prefixed with an apostrophe) or as JSON.',
    params: s.TenantParams,
    query: s.AuditExportQuery,
    responses: {
      200: {
        description: 'The file, as an attachment',
        mediaTypes: ['text/csv', 'application/json'],
        headers: ['Content-Disposition'],
      },
    },
    handler: async (c, { query }) =>
      exportResponse(await c.env.settings.exportAudit(c.get('access'), query.format)),
  }),
  defineRoute({
    method: 'get',
    path: '/tenants/{tenantId}/redirection/explain',
    summary:
      'What the edge would do for a legacy URL for this tenant (a navigation, with or without a session).',
    params: s.TenantParams,
    query: s.ExplainQuery,
    responses: { 200: { description: 'The decision', schema: s.ExplainSchema } },
    handler: async (c, { query }) =>
      c.json(await c.env.settings.explain(c.get('access'), query.url, query.session === 'true')),
  }),
  defineRoute({
    method: 'get',
    path: '/tenants/{tenantId}/redirection/report',
    summary:
      'The migration report: legacy navigations the edge decided on for this tenant over the last 24 hours and 7 days, per product (redirected, passed by reason, observed would-redirects, top 20 unmapped path templates), and the last 24 hours by hour. Counts can miss navigations (docs/report.md).',
    params: s.TenantParams,
    responses: { 200: { description: 'The report', schema: s.ReportSchema } },
    handler: async (c, { params }) =>
      c.json({ tenantId: params.tenantId, ...(await c.env.settings.report(c.get('access'))) }),
  }),
  defineRoute({
    method: 'get',
    path: '/tenants/{tenantId}/redirection/schedules',
    summary: 'Pending scheduled changes, soonest first.',
    params: s.TenantParams,
    responses: { 200: { description: 'The pending changes', schema: s.SchedulesSchema } },
    handler: async (c) => c.json({ schedules: await c.env.settings.schedules(c.get('access')) }),
  }),
  defineRoute({
    method: 'post',
    path: '/tenants/{tenantId}/redirection/schedules',
    summary:
      "Schedule a change (on, off or observe) of one product for a later time; the tenant's object applies it then, audited as applied by the schedule on behalf of the caller.",
    params: s.TenantParams,
    body: s.ScheduleBody,
    responses: {
      201: { description: 'The scheduled change', schema: s.ScheduledChangeSchema },
      409: { description: 'locked: the product is locked (now or by then)', schema: s.ErrorSchema },
      429: {
        description: 'rate_limited: too many changes for this tenant; nothing was written',
        schema: s.ErrorSchema,
        headers: ['Retry-After'],
      },
    },
    handler: async (c, { body }) =>
      c.json(await c.env.settings.schedule(c.get('access'), body), 201),
  }),
  defineRoute({
    method: 'delete',
    path: '/tenants/{tenantId}/redirection/schedules/{id}',
    summary: 'Cancel a pending scheduled change (404 once applied or cancelled).',
    params: s.ScheduleParams,
    responses: { 200: { description: 'The cancelled change', schema: s.ScheduledChangeSchema } },
    handler: async (c, { params }) => {
      const result = await c.env.settings.cancelSchedule(c.get('access'), params.id);
      if (!result.ok) throw scheduleGone(result.fate);
      return c.json(result.cancelled);
    },
  }),
  defineRoute({
    method: 'get',
    path: '/tenants/{tenantId}/redirection/{product}',
    summary: "One product's redirection state.",
    params: s.ProductParams,
    responses: {
      200: { description: 'The state', schema: s.ProductStateSchema, headers: ETAG_HEADER },
    },
    handler: async (c, { params }) => {
      const state = await c.env.settings.state(c.get('access'), params.product);
      return c.json(state, 200, { ETag: `"${state.version}"` });
    },
  }),
  defineRoute({
    method: 'put',
    path: '/tenants/{tenantId}/redirection/{product}',
    summary:
      'Set automatic redirection on, off or observe (decide as if on, pass as if off, count what would have happened); `enabled` is the older form of on/off. Feedback is kept with the audit entry when turning off.',
    params: s.ProductParams,
    body: s.PutBody,
    headers: [
      {
        name: 'If-Match',
        description: 'The ETag the change is based on; a stale one answers 412.',
      },
    ],
    responses: {
      200: {
        description: 'The new state (unchanged, same version, when the value was already set)',
        schema: s.ProductStateSchema,
        headers: ETAG_HEADER,
      },
      409: { description: 'The product is locked', schema: s.ErrorSchema },
      412: {
        description: 'If-Match names another version (the ETag header has the current one)',
        schema: s.ErrorSchema,
        headers: ETAG_HEADER,
      },
      429: {
        description: 'rate_limited: too many changes for this tenant; nothing was written',
        schema: s.ErrorSchema,
        headers: ['Retry-After'],
      },
    },
    handler: async (c, { params, body }) => {
      const ifMatch = parseIfMatch(c.req.header('if-match'));
      const state = await c.env.settings.change(c.get('access'), {
        product: params.product,
        ...body,
        ...(ifMatch !== undefined ? { ifMatch } : {}),
      });
      return c.json(state, 200, { ETag: `"${state.version}"` });
    },
  }),
];

/** The settings API, mounted at /api on ADMIN_HOSTS. */
export const apiApp = new Hono<AdminEnv>();
apiApp.use(
  bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: () => {
      throw tooLarge();
    },
  }),
);
apiApp.use(async (c, next) => {
  await next();
  c.header('Cache-Control', 'no-store');
});
apiApp.get('/openapi.json', (c) => c.json(openApiDocument(ROUTES)));
// Every tenant route: a verified token, then read access to the path's tenant.
apiApp.use('/tenants/:tenantId/*', bearerAuth, tenantAccess);
apiApp.use('/tenants/:tenantId', bearerAuth, tenantAccess);
register(apiApp, ROUTES);
