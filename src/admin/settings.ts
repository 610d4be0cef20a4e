import { Hono } from 'hono';
import { createMiddleware } from 'hono/factory';
import { productById } from '../catalogue/products';
import { canRead, canWrite } from '../catalogue/roles';
import type { ProductId } from '../catalogue/types';
import type { Env } from '../config';
import { loadConfig } from '../config';
import { TENANT_COOKIE, isLocked, navigationFacts } from '../core/decide';
import { asTenantId } from '../core/tenant';
import { decideWithStore, storeFor } from '../edge/app';
import type { AuditEntry } from '../store/records';
import type { ProductState } from '../store/state';
import { productState } from '../store/state';
import { VersionMismatchError } from '../store/toggles';
import type { Principal } from './auth';
import { requireToken } from './auth';
import { ApiError, onError } from './errors';
import { openApiDocument } from './openapi';
import type { AdminContext, RouteSpec } from './route-spec';
import { defineRoute, register } from './route-spec';
import * as s from './schemas';

const ETAG_HEADER = ['ETag'];

function storeOf(c: AdminContext) {
  return storeFor(c.env, loadConfig(c.env));
}

function catalogueProduct(c: AdminContext, id: ProductId) {
  return productById(id, loadConfig(c.env).products) as NonNullable<ReturnType<typeof productById>>;
}

/** `If-Match: "3"` (or W/"3") -> 3; `*` or absent -> no precondition; anything else matches nothing. */
export function parseIfMatch(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === '*') return undefined;
  const m = /^\s*(?:W\/)?"(\d{1,15})"\s*$/.exec(header);
  return m ? Number(m[1]) : -1;
}

/**
 * A page of the tenant's audit log as clients see it (no internal version), newest first. The
 * first page first repairs any change whose audit write was deferred. API and audit view share it.
 */
export async function readAudit(
  c: AdminContext,
  tenant: string,
  limit: number,
  product?: ProductId,
  cursor?: string,
) {
  const store = storeOf(c);
  if (!cursor)
    await store.repairAudit(
      tenant,
      loadConfig(c.env).products.map((p) => p.id),
    );
  const page = await store.audit(tenant, {
    limit,
    ...(product ? { product } : {}),
    ...(cursor ? { cursor } : {}),
  });
  return {
    entries: page.entries.map(({ version: _version, ...entry }: AuditEntry) => entry),
    cursor: page.cursor,
  };
}

/**
 * Change one product's redirection for the signed-in admin: role, lock and If-Match checks, then
 * the store's change-and-audit. Shared by the API and the settings page.
 */
export async function applyChange(
  c: AdminContext,
  principal: Principal,
  tenant: string,
  productId: ProductId,
  enabled: boolean,
  feedback: string | null,
  ifMatch: number | undefined,
): Promise<ProductState> {
  if (!canWrite(principal.roles, productId)) {
    throw new ApiError(
      'forbidden',
      'Your roles do not allow changing this setting.',
      {},
      `roles ${[...principal.roles].join(',') || 'none'}`,
    );
  }
  const product = catalogueProduct(c, productId);
  if (isLocked(product, Date.now()))
    throw new ApiError('locked', 'Redirection is locked on for this product.');
  try {
    const result = await storeOf(c).change({
      tenant,
      product: productId,
      enabled,
      defaultEnabled: product.defaultEnabled,
      actor: { oid: principal.oid, name: principal.name, upn: principal.upn, idp: principal.idp },
      feedback,
      ...(ifMatch !== undefined ? { ifMatch } : {}),
    });
    return productState(product, result.record, Date.now());
  } catch (error) {
    if (error instanceof VersionMismatchError) {
      throw new ApiError(
        'precondition_failed',
        'The setting changed since you read it; read it again.',
        { ETag: `"${error.current}"` },
      );
    }
    throw error;
  }
}

/** Every product's state for a tenant, in catalogue order. */
export async function tenantStates(c: AdminContext, tenant: string): Promise<ProductState[]> {
  const store = storeOf(c);
  const now = Date.now();
  return Promise.all(
    loadConfig(c.env).products.map(async (p) =>
      productState(p, await store.record(tenant, p.id), now),
    ),
  );
}

export const ROUTES: readonly RouteSpec[] = [
  defineRoute({
    method: 'get',
    path: '/tenants/{tenantId}/redirection',
    summary: "The tenant's redirection state for every product, in catalogue order.",
    params: s.TenantParams,
    responses: { 200: { description: 'State per product', schema: s.TenantStateSchema } },
    handler: async (c, { params }) =>
      c.json({ tenantId: params.tenantId, products: await tenantStates(c, params.tenantId) }),
  }),
  defineRoute({
    method: 'get',
    path: '/tenants/{tenantId}/redirection/audit',
    summary: 'Changes to the toggles, newest first.',
    params: s.TenantParams,
    query: s.AuditQuery,
    responses: { 200: { description: 'A page of audit entries', schema: s.AuditPageSchema } },
    handler: async (c, { params, query }) =>
      c.json(await readAudit(c, params.tenantId, query.limit ?? 50, query.product, query.cursor)),
  }),
  defineRoute({
    method: 'get',
    path: '/tenants/{tenantId}/redirection/explain',
    summary:
      'What the edge would do for a legacy URL for this tenant (a navigation, with or without a session).',
    params: s.TenantParams,
    query: s.ExplainQuery,
    responses: { 200: { description: 'The decision', schema: s.ExplainSchema } },
    handler: async (c, { params, query }) => {
      const config = loadConfig(c.env);
      const url = new URL(query.url);
      // Only this tenant's state may answer: any tid in the URL is replaced by the path's tenant.
      url.searchParams.delete('tid');
      const cookies: Record<string, string> = { [TENANT_COOKIE]: params.tenantId };
      const sessionCookie = config.core.hosts.match(url.host)?.product.sessionCookies[0];
      if (query.session === 'true' && sessionCookie) cookies[sessionCookie] = 'explain';
      const decision = await decideWithStore(
        config,
        storeFor(c.env, config),
        navigationFacts(url, cookies),
      );
      return c.json({
        product: decision.product,
        action: decision.action,
        reason: decision.reason,
        location: decision.location ?? null,
      });
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
      const state = productState(
        catalogueProduct(c, params.product),
        await storeOf(c).record(params.tenantId, params.product),
        Date.now(),
      );
      return c.json(state, 200, { ETag: `"${state.version}"` });
    },
  }),
  defineRoute({
    method: 'put',
    path: '/tenants/{tenantId}/redirection/{product}',
    summary:
      'Turn automatic redirection on or off (feedback is kept with the audit entry when turning off).',
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
      412: { description: 'If-Match names another version', schema: s.ErrorSchema },
    },
    handler: async (c, { params, body }) => {
      const state = await applyChange(
        c,
        c.get('principal'),
        params.tenantId,
        params.product,
        body.enabled,
        body.feedback ?? null,
        parseIfMatch(c.req.header('if-match')),
      );
      return c.json(state, 200, { ETag: `"${state.version}"` });
    },
  }),
];

/**
 * Whether `principal` may read `tenant`'s settings: a GUID tenant equal to the token's, and a
 * read role. The API's tenant routes and the settings pages both ask this one function.
 */
export function authoriseRead(principal: Principal, rawTenant: string | undefined): string {
  const tenant = asTenantId(rawTenant ?? null);
  if (tenant === null)
    throw new ApiError('invalid_request', 'Invalid path (tenantId): tenantId must be a GUID');
  if (tenant !== principal.tenant)
    throw new ApiError(
      'forbidden',
      'You can only manage your own tenant.',
      {},
      `token tenant ${principal.tenant}, path ${tenant}`,
    );
  if (!canRead(principal.roles))
    throw new ApiError('forbidden', 'Your roles do not allow reading these settings.');
  return tenant;
}

/** Every tenant route: a verified token, a GUID tenant equal to the token's, a read role. */
const tenantGuard = createMiddleware<{ Bindings: Env }>(async (c, next) => {
  authoriseRead(c.get('principal'), c.req.param('tenantId'));
  await next();
});

/** The settings API, mounted at /api on ADMIN_HOSTS. */
export const settingsApp = new Hono<{ Bindings: Env }>();
settingsApp.onError(onError);
settingsApp.use('*', async (c, next) => {
  await next();
  c.header('Cache-Control', 'no-store');
});
settingsApp.get('/openapi.json', (c) => c.json(openApiDocument(ROUTES)));
settingsApp.use('/tenants/:tenantId/*', requireToken, tenantGuard);
settingsApp.use('/tenants/:tenantId', requireToken, tenantGuard);
register(settingsApp, ROUTES);
