import type { ProductId } from './types';

/**
 * Microsoft Entra directory role template ids, as they appear in an access token's `wids` claim
 * (https://learn.microsoft.com/entra/identity/role-based-access-control/permissions-reference).
 */
export const DIRECTORY_ROLES = {
  'global-admin': '62e90394-69f5-4237-9190-012177145e10',
  'security-admin': '194ae4cb-b126-40b2-bd5b-6091b380977d',
  'cloud-app-security-admin': '892c5842-a9a6-463a-8041-72aa08ca3cf6',
  'security-operator': '5f2222b1-57c3-48ba-8ad5-d4759f1fde6f',
  'security-reader': '5d6b6bb7-de71-4623-b4af-96380a352509',
  'global-reader': 'f2ef992c-3afb-46b9-b7cf-a126ee74c451',
} as const;

export type RoleName = keyof typeof DIRECTORY_ROLES;

const ADMINS: readonly RoleName[] = ['global-admin', 'security-admin'];

/** Who may change each product's redirection. */
export const WRITE_ROLES: Record<ProductId, readonly RoleName[]> = {
  endpoint: ADMINS,
  office: ADMINS,
  identity: ADMINS,
  cloudapps: [...ADMINS, 'cloud-app-security-admin'],
};

/** Who may read state, audit and explain (any product). */
export const READ_ROLES: readonly RoleName[] = [
  ...ADMINS,
  'cloud-app-security-admin',
  'security-operator',
  'security-reader',
  'global-reader',
];

/** The role names a set of `wids` grants (unknown ids are ignored). */
export function rolesOf(wids: readonly string[]): Set<RoleName> {
  const ids = new Set(wids.map((w) => w.toLowerCase()));
  return new Set(
    (Object.keys(DIRECTORY_ROLES) as RoleName[]).filter((name) => ids.has(DIRECTORY_ROLES[name])),
  );
}

export function canWrite(roles: ReadonlySet<RoleName>, product: ProductId): boolean {
  return WRITE_ROLES[product].some((r) => roles.has(r));
}

export function canRead(roles: ReadonlySet<RoleName>): boolean {
  return READ_ROLES.some((r) => roles.has(r));
}
