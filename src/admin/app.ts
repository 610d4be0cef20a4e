import { Hono } from 'hono';
import type { Env } from '../config';
import { errorResponse, onError } from './errors';
import { pagesApp } from './pages';
import { settingsApp } from './settings';

/** The settings side, served on ADMIN_HOSTS only. */
export const adminApp = new Hono<{ Bindings: Env }>();

adminApp.onError(onError);
adminApp.get('/healthz', (c) => c.json({ status: 'ok' }));
adminApp.route('/api', settingsApp);
adminApp.route('/', pagesApp);
adminApp.notFound(() => errorResponse('not_found', 'No such route.'));
