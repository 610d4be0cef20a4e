import type { RoleName } from '../catalogue/roles';

/** The signed-in caller, from a verified Microsoft Entra access token (see auth/tokens.ts). */
export interface Principal {
  tenant: string;
  oid: string;
  name: string;
  upn: string;
  idp: string;
  roles: ReadonlySet<RoleName>;
}
