/**
 * Print a bearer token for the settings API, signed by the local development key that
 * `npm start` gives the Worker.
 *
 *   npm run token -- --tenant <tid> --role global-admin|security-admin|cloud-app-security-admin|
 *                     security-operator|security-reader|global-reader [--name "Ada"] [--audience ...]
 */
import { parseArgs } from 'node:util';
import { DIRECTORY_ROLES, type RoleName } from '../src/catalogue/roles.ts';
import { asTenantId } from '../src/core/tenant.ts';
import { devKey } from './devkeys.ts';
import { entraClaims, signToken } from '../src/auth/dev-tokens.ts';

const { values } = parseArgs({
  options: {
    tenant: { type: 'string' },
    role: { type: 'string', multiple: true },
    name: { type: 'string', default: 'Dev Admin' },
    audience: { type: 'string', default: 'api://portal-redirect' },
    'expires-in': { type: 'string', default: '3600' },
  },
});
const tenant = asTenantId(values.tenant);
const roles = (values.role ?? []) as RoleName[];
if (
  tenant === null ||
  roles.length === 0 ||
  !roles.every((r) => Object.hasOwn(DIRECTORY_ROLES, r))
) {
  console.error(
    `usage: npm run token -- --tenant <tenant GUID> --role <${Object.keys(DIRECTORY_ROLES).join('|')}> [--name "..."]`,
  );
  process.exit(2);
}
const key = await devKey();
const claims = entraClaims({
  tenant,
  roles,
  name: values.name,
  audience: values.audience,
  expiresIn: Number(values['expires-in']),
});
console.log(await signToken(key.privateJwk, key.kid, claims));
