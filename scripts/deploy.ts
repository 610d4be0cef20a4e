/**
 * `npm run deploy -- <wrangler deploy arguments>`: checks the env those arguments name
 * (scripts/check-deploy.ts), then runs `wrangler deploy` with the very same arguments, so what is
 * checked is what goes up. A refused check deploys nothing (exit 1). `--dry-run` is checked too:
 * to bundle an env that still holds placeholders, call `npx wrangler deploy --dry-run` directly
 * (test-node/tooling.test.ts does).
 */
import { spawnSync } from 'node:child_process';
import { check } from './check-deploy.ts';

/** Runs `wrangler <args>` and answers its exit code. */
export type Wrangler = (args: string[]) => number;

const wrangler: Wrangler = (args) => {
  const result = spawnSync('npx', ['wrangler', ...args], { stdio: 'inherit' });
  return result.status ?? 1;
};

/** The exit code of `npm run deploy -- <argv>`. */
export function deploy(
  argv: readonly string[],
  run: Wrangler = wrangler,
  environ: NodeJS.ProcessEnv = process.env,
): number {
  const problems = check(argv, environ);
  if (problems.length > 0) {
    console.error(`${problems.join('\n')}\nnot deployed: see docs/deploy.md`);
    return 1;
  }
  return run(['deploy', ...argv]);
}

if (import.meta.url === `file://${process.argv[1]}`) process.exit(deploy(process.argv.slice(2)));
