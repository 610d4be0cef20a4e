/**
 * The variables the Worker runs with, read as wrangler reads them: wrangler.jsonc's `vars` (an
 * env block's own for `--env`: wrangler does not inherit them) and, for a local run, `.dev.vars`
 * over them. What the CLI shows of KV must follow the same configuration as the edge.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEV_VARS, parseDevVars } from '../devkeys.ts';
import { parseJsonc } from '../jsonc.ts';

interface WranglerVars {
  vars?: Record<string, unknown>;
  env?: Record<string, { vars?: Record<string, unknown> }>;
}

export function workerVars(
  env: string | undefined,
  local: boolean,
  root = process.cwd(),
): Record<string, string> {
  const config = parseJsonc(readFileSync(join(root, 'wrangler.jsonc'), 'utf8')) as WranglerVars;
  const vars = (env === undefined ? config.vars : config.env?.[env]?.vars) ?? {};
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(vars))
    if (typeof value === 'string') out[name] = value;
  const devVars = join(root, DEV_VARS);
  if (local && existsSync(devVars))
    for (const [name, value] of parseDevVars(readFileSync(devVars, 'utf8'))) out[name] = value;
  return out;
}
