/**
 * `npm run token`: print a bearer token for the settings API, signed by the local development
 * key that `npm start` gives the Worker (.dev.vars). Usage: USAGE below; exit codes as
 * scripts/cli/run.ts says (2 for a wrong command line).
 */
import { entraClaims, signToken } from '../src/auth/dev-tokens.ts';
import { DIRECTORY_ROLES, type RoleName } from '../src/catalogue/roles.ts';
import { asTenantId } from '../src/core/tenant.ts';
import { parse, runCli, UsageError } from './cli/run.ts';
import { devKey } from './devkeys.ts';

const ROLES = Object.keys(DIRECTORY_ROLES) as RoleName[];

export const USAGE = `Print a bearer token for the settings API, signed with the local dev key (.dev.vars),
which npm start's Worker trusts. A deployed Worker trusts Entra ID's tokens only.

usage: npm run -s token -- --tenant <tenant> --role <role> [options]

options:
  --tenant <guid>        the tenant (tid claim)
  --role <role>          a directory role (repeat for several): ${ROLES.join(', ')}
  --name <name>          the name the audit log shows (default "Dev Admin")
  --audience <aud>       the aud claim (default api://portal-redirect)
  --expires-in <s>       lifetime in seconds (default 3600)
  -h, --help             this help

example: TOKEN=$(npm run -s token -- --tenant <tenant> --role security-admin --name "Ada Admin")`;

export async function main(argv: string[]): Promise<string> {
  const { values, positionals } = parse(argv, {
    tenant: { type: 'string' },
    role: { type: 'string', multiple: true },
    name: { type: 'string', default: 'Dev Admin' },
    audience: { type: 'string', default: 'api://portal-redirect' },
    'expires-in': { type: 'string', default: '3600' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return USAGE;
  if (positionals.length > 0) throw new UsageError(`unexpected argument: ${positionals[0]}`);
  if (values.tenant === undefined) throw new UsageError('missing --tenant <tenant GUID>');
  const tenant = asTenantId(values.tenant);
  if (tenant === null) throw new UsageError(`not a tenant id (GUID): ${values.tenant}`);
  const roles = values.role ?? [];
  if (roles.length === 0) throw new UsageError(`missing --role <${ROLES.join('|')}>`);
  const unknown = roles.find((r) => !Object.hasOwn(DIRECTORY_ROLES, r));
  if (unknown !== undefined)
    throw new UsageError(`unknown role: ${unknown} (one of ${ROLES.join(', ')})`);
  const expiresIn = Number(values['expires-in']);
  if (!Number.isInteger(expiresIn) || expiresIn < 1)
    throw new UsageError(`--expires-in must be a whole number of seconds: ${values['expires-in']}`);
  const key = await devKey();
  const claims = entraClaims({
    tenant,
    roles: roles as RoleName[],
    name: values.name,
    audience: values.audience,
    expiresIn,
  });
  return signToken(key.privateJwk, key.kid, claims);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runCli(main, process.argv.slice(2), () => 'npm run token -- --help');
}
