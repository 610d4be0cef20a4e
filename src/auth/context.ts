import type { Context } from 'hono';
import type { Config } from '../config';
import type { TenantAccess } from '../settings/authorise';
import type { Principal } from '../settings/principal';
import type { SettingsService } from '../settings/service';

/**
 * What the admin side's handlers get instead of the raw env: the loaded configuration and the
 * settings service (built by the composition root in admin.ts), and what the mount's auth
 * middleware established.
 */
export interface AdminEnv {
  Bindings: { config: Config; settings: SettingsService };
  Variables: {
    principal: Principal;
    access: TenantAccess;
    secureHeadersNonce?: string;
  };
}

export type AdminContext = Context<AdminEnv>;
