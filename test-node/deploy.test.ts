import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import { PRODUCTS } from '../src/catalogue/products.ts';
import { type EnvBlock, check, problemsOf, targetOf } from '../scripts/check-deploy.ts';
import { deploy } from '../scripts/deploy.ts';
import { parseJsonc } from '../scripts/jsonc.ts';

const run = promisify(execFile);
const ENVS = ['staging', 'production'];
const NO_ENV = {};
const repoText = readFileSync('wrangler.jsonc', 'utf8');

/**
 * wrangler.jsonc with every placeholder id replaced by a random one of its kind, comments and
 * all, written where the check can be pointed at it (`--config`).
 */
function filledCopy(): string {
  // An id is quoted, or escaped-quoted inside SIGNIN_AUDIENCES's JSON string.
  const text = repoText.replace(/(?<=")(?:0-?){20}[0-9a-f-]*(?=\\?")/g, (id) =>
    id.includes('-') ? randomUUID() : randomBytes(16).toString('hex'),
  );
  const path = join(mkdtempSync(join(tmpdir(), 'check-deploy-')), 'wrangler.jsonc');
  writeFileSync(path, text);
  return path;
}

/** The filled copy as an object, to break one thing at a time. */
function filledConfig() {
  return parseJsonc(readFileSync(filledCopy(), 'utf8')) as {
    env: Record<string, EnvBlock & { vars: Record<string, string> }>;
  };
}

describe('the deploy check reads wrangler deploy arguments', () => {
  it('reads JSONC: comments as comments, strings as strings', () => {
    expect(parseJsonc('{"a": "x//y", // c\n "b": /* d */ 1}')).toEqual({ a: 'x//y', b: 1 });
  });

  it('finds the env and config as wrangler does, CLOUDFLARE_ENV when no --env', () => {
    const c = 'x.jsonc';
    expect(targetOf(['--env', 'production', '--dry-run'], NO_ENV)).toMatchObject({
      env: 'production',
      config: 'wrangler.jsonc',
    });
    expect(targetOf(['-e=staging', '-c', c], NO_ENV)).toMatchObject({ env: 'staging', config: c });
    expect(targetOf(['--config=x.jsonc', '-e', 'staging'], NO_ENV).config).toBe(c);
    expect(targetOf([], { CLOUDFLARE_ENV: 'staging' }).env).toBe('staging');
    expect(targetOf(['--env', 'production'], { CLOUDFLARE_ENV: 'staging' }).env).toBe('production');
    expect(targetOf(['--env='], { CLOUDFLARE_ENV: 'staging' }).env).toBeUndefined();
  });

  it('refuses a deploy that names no env: the top level is the local one', () => {
    expect(check(['--dry-run'], NO_ENV)).toEqual([
      'no environment named: deploy with --env staging or --env production',
    ]);
    expect(check(['--env', 'qa'], NO_ENV)).toEqual([
      'wrangler.jsonc env.qa: not in the configuration',
    ]);
  });
});

describe("the deploy check refuses the repository's placeholders", () => {
  it.each(ENVS)('%s: each placeholder, one line naming it', (env) => {
    const problems = check(['--env', env], NO_ENV);
    const at = `wrangler.jsonc env.${env}: `;
    expect(problems).toHaveLength(2 + PRODUCTS.length);
    expect(problems[0]).toMatch(
      new RegExp(`^${at}KV namespace TOGGLES id "0{31}[12]" is a placeholder: .*--env ${env}$`),
    );
    expect(problems[1]).toBe(
      `${at}AUTH_CLIENT_ID "00000000-0000-0000-0000-000000000000" is a placeholder`,
    );
    for (const [i, { id }] of PRODUCTS.entries())
      expect(problems[2 + i]).toMatch(
        new RegExp(
          `^${at}SIGNIN_AUDIENCES\\.${id} "00000000-0000-0000-0000-0000000000\\w\\w" is a placeholder$`,
        ),
      );
  });

  it('exits 1 with those lines on stderr, and deploys nothing', async () => {
    const cli = run('npx', ['tsx', 'scripts/check-deploy.ts', '--env', 'production']);
    await expect(cli).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('AUTH_CLIENT_ID'),
    });
    const wrangler = vi.fn(() => 0);
    expect(deploy(['--env', 'production'], wrangler, NO_ENV)).toBe(1);
    expect(wrangler).not.toHaveBeenCalled();
  });
});

describe('the deploy check passes a filled-in copy', () => {
  it.each(ENVS)('%s: no problem; the CLI exits 0', async (env) => {
    const config = filledCopy();
    expect(check(['--config', config, '--env', env], NO_ENV)).toEqual([]);
    const { stdout } = await run('npx', [
      'tsx',
      'scripts/check-deploy.ts',
      '-c',
      config,
      '-e',
      env,
    ]);
    expect(stdout).toContain('check-deploy:');
  });

  it('then runs wrangler deploy with the same arguments', () => {
    const argv = ['--config', filledCopy(), '--env', 'production', '--dry-run', '--outdir', 'dist'];
    const wrangler = vi.fn(() => 7);
    expect(deploy(argv, wrangler, NO_ENV)).toBe(7);
    expect(wrangler).toHaveBeenCalledExactlyOnceWith(['deploy', ...argv]);
  });

  it('but not one with a local setting, a missing product or another placeholder', () => {
    const config = filledConfig();
    const production = config.env.production!;
    production.vars.DEV_AUTH = 'true';
    production.vars.ADMIN_HOSTS = 'portal-redirect.example.net,localhost, 127.0.0.1';
    const audiences = JSON.parse(production.vars.SIGNIN_AUDIENCES!) as Record<string, unknown>;
    delete audiences.office;
    audiences.identity = [randomUUID(), '00000000-0000-0000-0000-000000000000'];
    production.vars.SIGNIN_AUDIENCES = JSON.stringify(audiences);
    delete production.vars.AUTH_CLIENT_ID;
    production.kv_namespaces = [{ binding: 'TOGGLES', id: 'portal-redirect-local' }];
    expect(problemsOf(config, 'production')).toEqual([
      'env.production: KV namespace TOGGLES id "portal-redirect-local" is not a KV namespace id (32 hex digits)',
      'env.production: AUTH_CLIENT_ID is unset',
      'env.production: SIGNIN_AUDIENCES has no client id for office',
      'env.production: SIGNIN_AUDIENCES.identity "00000000-0000-0000-0000-000000000000" is a placeholder',
      'env.production: DEV_AUTH is "true", must be "false"',
      'env.production: ADMIN_HOSTS names the local host "localhost"',
      'env.production: ADMIN_HOSTS names the local host "127.0.0.1"',
    ]);
    expect(problemsOf(config, 'staging')).toEqual([]);
  });
});
