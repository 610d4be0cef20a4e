/**
 * The Worker under test: the real entry, its settings objects built on deps a test can set
 * (settings-deps.ts) instead of their env's alone.
 */
import type { Env } from '../src/config';
import { TenantSettings as Settings } from '../src/objects/tenant-settings';
import { testDeps } from './settings-deps';

export { default } from '../src/index';

export class TenantSettings extends Settings {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, testDeps(ctx.id.toString(), env));
  }
}
