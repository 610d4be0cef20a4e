import { canRead, canWrite } from '../catalogue/roles';
import type { ProductId } from '../catalogue/types';
import { asTenantId } from '../core/tenant';
import { AppError } from '../errors';
import type { Principal } from './principal';

declare const granted: unique symbol;

/**
 * Proof that a principal may read a tenant's settings. Only `authoriseRead` makes one, and every
 * method of the settings service takes one: neither face can reach the data without asking.
 */
export interface TenantAccess {
  readonly tenant: string;
  readonly principal: Principal;
  readonly [granted]: true;
}

/**
 * The one read check, for the API's tenant routes and the settings pages alike: a GUID tenant
 * equal to the token's, and a role that may read.
 */
export function authoriseRead(principal: Principal, rawTenant: string | undefined): TenantAccess {
  const tenant = asTenantId(rawTenant ?? null);
  if (tenant === null)
    throw new AppError('invalid_request', 'Invalid path (tenantId): tenantId must be a GUID');
  if (tenant !== principal.tenant)
    throw new AppError(
      'forbidden',
      'You can only manage your own tenant.',
      {},
      `token tenant ${principal.tenant}, path ${tenant}`,
    );
  if (!canRead(principal.roles))
    throw new AppError('forbidden', 'Your roles do not allow reading these settings.');
  return { tenant, principal } as TenantAccess;
}

/** The one write check: a role that may change this product. */
export function authoriseWrite(access: TenantAccess, product: ProductId): void {
  if (!canWrite(access.principal.roles, product)) {
    throw new AppError(
      'forbidden',
      'Your roles do not allow changing this setting.',
      {},
      `roles ${[...access.principal.roles].join(',') || 'none'}`,
    );
  }
}
