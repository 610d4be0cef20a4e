import { Hono } from 'hono';
import type { Env } from '../config';

/** The settings side, served on ADMIN_HOSTS only. */
export const adminApp = new Hono<{ Bindings: Env }>();

adminApp.get('/healthz', (c) => c.json({ status: 'ok' }));
adminApp.notFound((c) => c.json({ error: 'not_found', message: 'No such route.' }, 404, { 'Cache-Control': 'no-store' }));
