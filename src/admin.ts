import { Hono } from 'hono';
import { apiApp } from './api/routes';
import type { AdminEnv } from './auth/context';
import type { Config, Env } from './config';
import { AppError, answerError, errorResponse } from './errors';
import { errorPage, mountPages } from './pages/routes';
import { objectSettingsStore } from './settings/object-store';
import { SettingsService } from './settings/service';
import { storeFor } from './store/decision-loop';

/** The settings side, served on ADMIN_HOSTS only: the API at /api, the pages at / and /auth. */
const adminApp = new Hono<AdminEnv>();
adminApp.onError((error, c) => answerError(error, `${c.req.method} ${c.req.path}`));
adminApp.get('/healthz', (c) => c.json({ status: 'ok' }));
adminApp.route('/api', apiApp);
mountPages(adminApp);
// The API answers in its JSON envelope; anything else on the settings side is a page.
adminApp.notFound((c) =>
  c.req.path === '/api' || c.req.path.startsWith('/api/')
    ? errorResponse('not_found', 'No such route.')
    : errorPage(new AppError('not_found', 'No such page.'), c),
);

/**
 * Serve one admin request. Handlers see the loaded configuration and a settings service whose
 * writes and audit reads go to the tenant's TenantSettings object, never the raw env.
 */
export function adminFetch(
  request: Request,
  env: Env,
  config: Config,
  ctx?: ExecutionContext,
): Response | Promise<Response> {
  const toggles = storeFor(env, config);
  const settings = new SettingsService({
    store: objectSettingsStore(env.TENANT_SETTINGS),
    reads: toggles,
    core: config.core,
    products: config.products,
    now: Date.now,
  });
  return adminApp.fetch(request, { config, settings }, ctx);
}
