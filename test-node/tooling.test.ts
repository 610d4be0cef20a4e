import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_VARS, parseDevVars } from '../scripts/devkeys.ts';
import { main as toggles } from '../scripts/toggles.ts';
import { type Service, startService } from './service.ts';

const run = promisify(execFile);
const DEMO_TENANT = '0d3a8f5e-5c7a-4b4e-9d6f-2a1b3c4d5e6f';

describe('wrangler deploy --dry-run', () => {
  it.each(['staging', 'production'])('bundles the %s environment', async (env) => {
    const outdir = mkdtempSync(join(tmpdir(), `bundle-${env}-`));
    const { stdout } = await run(
      'npx',
      ['wrangler', 'deploy', '--dry-run', '--env', env, '--outdir', outdir],
      {
        env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
      },
    );
    expect(stdout).toContain('--dry-run: exiting now.');
    expect(stdout).toContain('env.TOGGLES');
    expect(readdirSync(outdir)).toContain('index.js');
  });
});

/** A settings API call on the admin host of the running service. */
async function settings(port: number, method: string, path: string, token: string, body?: unknown) {
  const res = await fetch(`http://127.0.0.1:${port}/api${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      ...(body ? { 'Content-Type': 'application/json' } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** A request with a chosen Host header (fetch may not set Host). */
function get(port: number, host: string, path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined> }>(
    (resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, path, headers: { Host: host, Accept: 'text/html', ...headers } },
        (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
        },
      );
      req.on('error', reject);
      req.end();
    },
  );
}

describe('npm start', () => {
  const port = 18787;
  let service: Service;

  beforeAll(async () => {
    service = await startService(port, 'start');
  }, 100_000);

  afterAll(() => service?.stop());

  it('keeps its secrets in .dev.vars (mode 600, git-ignored), never on a command line', async () => {
    expect(existsSync(DEV_VARS)).toBe(true);
    expect(statSync(DEV_VARS).mode & 0o777).toBe(0o600);
    const vars = parseDevVars(readFileSync(DEV_VARS, 'utf8'));
    const secret = vars.get('COOKIE_SIGNING_SECRET') ?? '';
    expect(secret.length).toBeGreaterThanOrEqual(32);
    expect(vars.get('DEV_SIGNING_KEY')).toContain('privateJwk');
    const ignored = await run('git', ['check-ignore', DEV_VARS]);
    expect(ignored.stdout.trim()).toBe(DEV_VARS);
    // Every local user can read every process's arguments.
    const { stdout } = await run('ps', ['-eo', 'args']);
    expect(stdout).toContain('wrangler');
    expect(stdout).not.toContain('privateJwk');
    expect(stdout).not.toContain(secret);
  });

  it('answers the README curl lines: a redirect, a sticky session and a pass', async () => {
    const redirect = await get(
      port,
      'securitycenter.windows.com',
      `/alert/da637472900382838869_1364969609?tid=${DEMO_TENANT}`,
    );
    expect(redirect.status).toBe(302);
    expect(redirect.headers.location).toBe(
      `https://security.microsoft.com/alert/da637472900382838869_1364969609?tid=${DEMO_TENANT}`,
    );
    // The demo portal holds no session 'abc': it sends the browser to sign in, as a real one
    // would; the edge passed the request (never a redirect of its own).
    const sticky = await get(port, 'securitycenter.windows.com', `/alerts?tid=${DEMO_TENANT}`, {
      Cookie: 'sccauth=abc',
    });
    expect([sticky.headers['x-redirect-decision'], sticky.headers['x-redirect-reason']]).toEqual([
      'pass',
      'session-sticky',
    ]);
    expect(sticky.headers.location).toMatch(/\/oauth2\/v2\.0\/authorize\?/);
    const pass = await get(port, 'protection.office.com', `/datalossprevention?tid=${DEMO_TENANT}`);
    expect([pass.headers['x-redirect-reason'], pass.headers['x-demo-origin']]).toEqual([
      'out-of-scope',
      '1',
    ]);
    const mapped = await get(port, 'contoso.atp.azure.com', '/timeline');
    expect(mapped.headers['x-redirect-reason']).toBe('default-off');
  });

  it('answers the README settings API lines with a token from npm run token', async () => {
    const token = async (role: string) =>
      (
        await run('npx', [
          'tsx',
          'scripts/token.ts',
          '--tenant',
          DEMO_TENANT,
          '--role',
          role,
          '--name',
          'Ada',
        ])
      ).stdout.trim();
    const admin = await token('security-admin');
    expect(admin.split('.')).toHaveLength(3);
    const put = await settings(port, 'PUT', `/tenants/${DEMO_TENANT}/redirection/identity`, admin, {
      enabled: true,
    });
    expect(put).toMatchObject({
      status: 200,
      body: { product: 'identity', enabled: true, changedBy: { name: 'Ada' } },
    });
    const mapped = await get(port, 'contoso.atp.azure.com', '/timeline');
    expect(mapped.headers.location).toBe(
      `https://security.microsoft.com/incidents?tid=${DEMO_TENANT}`,
    );
    const reader = await token('security-reader');
    expect(
      (
        await settings(port, 'PUT', `/tenants/${DEMO_TENANT}/redirection/identity`, reader, {
          enabled: false,
        })
      ).status,
    ).toBe(403);
    const audit = await settings(
      port,
      'GET',
      `/tenants/${DEMO_TENANT}/redirection/audit?product=identity`,
      reader,
    );
    expect((audit.body.entries as unknown[]).length).toBeGreaterThan(0);
  });

  it('sets, reads, audits and exports a toggle through the Worker with npm run toggles', async () => {
    const tenant = '5b1f8a3c-0000-4000-8000-00000000c0de';
    const url = ['--url', `http://127.0.0.1:${port}`, '--json'];
    const set = JSON.parse(await toggles(['set', tenant, 'identity', 'on', ...url]));
    expect(set).toMatchObject({
      changed: true,
      product: 'identity',
      enabled: true,
      source: 'tenant',
      version: 1,
    });
    const again = JSON.parse(await toggles(['set', tenant, 'identity', 'on', ...url]));
    expect(again).toMatchObject({ changed: false, version: 1 });
    await toggles(['set', tenant, 'identity', 'off', '--feedback', 'not yet', ...url]);
    const state = JSON.parse(await toggles(['get', tenant.toUpperCase(), ...url]));
    expect(
      state.products.map((p: { product: string; enabled: boolean }) => [p.product, p.enabled]),
    ).toEqual([
      ['endpoint', false],
      ['office', true],
      ['identity', false],
      ['cloudapps', false],
    ]);
    const audit = JSON.parse(await toggles(['audit', tenant, ...url]));
    expect(
      audit.entries.map((e: { enabled: boolean; feedback: string | null }) => [
        e.enabled,
        e.feedback,
      ]),
    ).toEqual([
      [false, 'not yet'],
      [true, null],
    ]);
    const csv = await toggles(['export', tenant, 'csv', '--url', `http://127.0.0.1:${port}`]);
    expect(csv.split('\r\n').filter(Boolean)).toHaveLength(3);
  });
});
