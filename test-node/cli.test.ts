/**
 * `npm run toggles` and `npm run token` as people and scripts run them: child processes, so the
 * exit codes and what reaches stdout and stderr are the real ones. The settings API is a stand-in
 * on loopback answering the API's own shapes (typed with the Worker's types), so the tables are
 * checked against known data; test-node/tooling.test.ts runs the CLI against the real Worker.
 * Last, `npm start` itself: a busy port, and a first run that prints nothing untrue.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../scripts/cli/toggles-commands.ts';
import { main as toggles, UsageError } from '../scripts/toggles.ts';
import type { AuditEntry } from '../src/model/audit.ts';
import type { ScheduledChange } from '../src/model/changes.ts';
import type { MigrationReport } from '../src/model/report.ts';
import type { ProductState } from '../src/model/state.ts';
import { startService } from './service.ts';

const TENANT = '5b1f8a3c-0000-4000-8000-00000000c0de';
/** A tenant the stand-in refuses, as the API refuses a token for another tenant. */
const FORBIDDEN_TENANT = '5b1f8a3c-0000-4000-8000-0000000f0b1d';
/** A tenant whose object is unavailable: 503 with Retry-After. */
const UNAVAILABLE_TENANT = '5b1f8a3c-0000-4000-8000-000000000503';
const TSX = join('node_modules', '.bin', 'tsx');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run a script as a child process; never rejects, the exit code is part of the answer. */
function runScript(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 30_000,
): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      TSX,
      [script, ...args],
      {
        env: { ...process.env, PORTAL_REDIRECT_URL: '', PERSIST_TO: '', ...env },
        timeout: timeoutMs,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const cli = (args: string[], env?: NodeJS.ProcessEnv, timeoutMs?: number) =>
  runScript('scripts/toggles.ts', args, env, timeoutMs);

/** An expected failure: exactly one line on stderr, nothing on stdout, no stack. */
function expectOneLineError(run: Run, code: number, pattern: RegExp): void {
  expect({ code: run.code, stdout: run.stdout }).toEqual({ code, stdout: '' });
  expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(run.stderr).toMatch(/^error: /);
  expect(run.stderr).toMatch(pattern);
  expect(run.stderr).not.toMatch(/\n\s+at |TypeError|ERR_/);
}

/** A port nothing listens on (taken from the OS, then released). */
async function closedPort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const STATE: { tenantId: string; products: ProductState[] } = {
  tenantId: TENANT,
  products: [
    {
      product: 'endpoint',
      enabled: true,
      mode: 'on',
      source: 'tenant',
      locked: false,
      phase: 'opt-in',
      onByDefaultFrom: null,
      lockedFrom: null,
      version: 3,
      changedAt: '2026-11-02T09:15:00.000Z',
      changedBy: { oid: '00000000-0000-4000-8000-0000000000a1', name: 'Ada Admin' },
    },
    {
      product: 'office',
      enabled: false,
      mode: 'observe',
      source: 'tenant',
      locked: false,
      phase: 'on-by-default',
      onByDefaultFrom: '2021-10-01T00:00:00Z',
      lockedFrom: null,
      version: 1,
      changedAt: '2026-11-03T10:00:00.000Z',
      changedBy: { oid: '00000000-0000-4000-8000-0000000000b2', name: 'Bo Operator' },
    },
    {
      product: 'identity',
      enabled: false,
      mode: 'off',
      source: 'default',
      locked: false,
      phase: 'opt-in',
      onByDefaultFrom: '2099-01-31T00:00:00Z',
      lockedFrom: '2099-07-02T00:00:00Z',
      version: 0,
      changedAt: null,
      changedBy: null,
    },
    {
      product: 'cloudapps',
      enabled: true,
      mode: 'on',
      source: 'default',
      locked: true,
      phase: 'locked',
      onByDefaultFrom: '2024-05-01T00:00:00Z',
      lockedFrom: '2024-06-16T00:00:00Z',
      version: 0,
      changedAt: null,
      changedBy: null,
    },
  ],
};

const counts = (product: ProductState['product'], redirected: number, observed: number) => ({
  product,
  navigations: redirected + observed + 2,
  redirected,
  observed,
  passed: { 'session-sticky': 2, 'toggle-off': 0, 'observe-would-redirect': observed },
  unmapped: product === 'endpoint' ? [{ template: '/machines/:id/timeline', count: 14 }] : [],
});

const REPORT: MigrationReport & { tenantId: string } = {
  tenantId: TENANT,
  generatedAt: '2026-11-04T12:00:00.000Z',
  windows: [
    {
      window: '24h',
      from: '2026-11-03T13:00:00.000Z',
      products: [counts('endpoint', 5, 0), counts('office', 0, 3)],
    },
    {
      window: '7d',
      from: '2026-10-28T13:00:00.000Z',
      products: [counts('endpoint', 40, 0), counts('office', 0, 21)],
    },
  ],
  // 24 hourly rows per product: what made the old output 744 lines long.
  hourly: (['endpoint', 'office'] as const).map((product) => ({
    product,
    hours: Array.from({ length: 24 }, (_, h) => ({
      at: new Date(Date.parse('2026-11-03T13:00:00.000Z') + h * 3_600_000).toISOString(),
      redirected: 0,
      passed: 0,
      observed: 0,
    })),
  })),
  daily: (['endpoint', 'office'] as const).map((product) => ({
    product,
    days: Array.from({ length: 7 }, (_, d) => ({
      at: new Date(Date.parse('2026-10-29T00:00:00.000Z') + d * 86_400_000).toISOString(),
      redirected: 0,
      passed: 0,
      observed: 0,
    })),
  })),
};

const ACTOR = {
  oid: '00000000-0000-4000-8000-0000000000a1',
  name: 'Ada Admin',
  upn: 'ada@contoso.example',
  idp: 'https://login.microsoftonline.com/x/v2.0',
};

const AUDIT: { entries: AuditEntry[]; cursor: string | null } = {
  entries: [
    {
      id: 'a2',
      at: '2026-11-03T10:00:00.000Z',
      product: 'office',
      enabled: false,
      previous: true,
      mode: 'observe',
      previousMode: 'on',
      version: 1,
      actor: ACTOR,
      via: 'admin',
      feedback: null,
      event: 'change',
      scheduledFor: null,
    },
    {
      id: 'a15',
      at: '2026-11-02T12:00:00.000Z',
      product: 'identity',
      enabled: false,
      previous: false,
      mode: 'on',
      previousMode: 'off',
      version: 0,
      actor: ACTOR,
      via: 'admin',
      feedback: null,
      event: 'schedule-created',
      scheduledFor: '2026-12-01T08:00:00.000Z',
    },
    {
      id: 'a1',
      at: '2026-11-02T09:15:00.000Z',
      product: 'endpoint',
      enabled: false,
      previous: true,
      mode: 'off',
      previousMode: 'on',
      version: 2,
      actor: ACTOR,
      via: 'schedule',
      feedback: 'Runbooks still link the old portal',
      event: 'change',
      scheduledFor: null,
    },
  ],
  cursor: 'next-page-cursor',
};

const SCHEDULES: { schedules: ScheduledChange[] } = {
  schedules: [
    {
      id: '6a79f601-9270-475f-8ea0-1d53f8593778',
      product: 'identity',
      mode: 'on',
      at: '2026-12-01T08:00:00.000Z',
      createdAt: '2026-11-04T11:00:00.000Z',
      actor: ACTOR,
    },
  ],
};

/** The settings API's stand-in: the routes the table commands read, and two failures. */
function standIn(seen: string[]) {
  return (req: IncomingMessage, res: ServerResponse) => {
    seen.push(`${req.method} ${req.url}`);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const [, , , tenant, , ...rest] = path.split('/');
    if (tenant === FORBIDDEN_TENANT)
      return send(403, { error: 'forbidden', message: 'This token is for another tenant.' });
    if (tenant === UNAVAILABLE_TENANT)
      return send(
        503,
        { error: 'unavailable', message: 'Try again shortly.' },
        { 'Retry-After': '5' },
      );
    const routes: Record<string, unknown> = {
      '': STATE,
      report: REPORT,
      audit: AUDIT,
      schedules: SCHEDULES,
    };
    const body = routes[rest.join('/')];
    if (tenant !== TENANT || body === undefined)
      return send(404, { error: 'not_found', message: 'No such route.' });
    send(200, body);
  };
}

describe('npm run toggles --help', () => {
  it('prints the commands and exits 0', async () => {
    for (const args of [['--help'], ['-h'], []]) {
      const run = await cli(args);
      expect(run).toMatchObject({ code: 0, stderr: '' });
      for (const command of COMMANDS) expect(run.stdout).toContain(`  ${command.name} `);
      expect(run.stdout).toContain('exit codes: 0 done, 1 failed');
    }
  });

  it.each(COMMANDS.map((c) => [c.name, c]))(
    '%s --help prints its usage and exits 0',
    async (name, command) => {
      // Even without the arguments the command needs: help comes first.
      const run = await cli([name, '--help']);
      expect(run).toMatchObject({ code: 0, stderr: '' });
      expect(run.stdout).toContain(`usage: npm run toggles -- ${name} ${command.args}`);
      for (const option of command.options) expect(run.stdout).toContain(`--${option}`);
    },
  );
});

describe('npm run toggles: a wrong command line', () => {
  it.each([
    ['an unknown option', ['get', TENANT, '--bogus'], /unknown option '--bogus'.*get --help/],
    [
      'an option of another command',
      ['get', TENANT, '--feedback', 'x'],
      /unknown option '--feedback'/,
    ],
    ['a missing argument', ['get'], /missing <tenant>/],
    ['an option without its value', ['get', TENANT, '--url'], /'--url <value>' argument missing/],
    ['a bad tenant id', ['get', 'contoso'], /not a tenant id \(GUID\): contoso/],
    ['an unknown product', ['set', TENANT, 'defender', 'on'], /unknown product: defender/],
    ['a bad mode', ['set', TENANT, 'identity', 'maybe'], /mode must be on, off or observe: maybe/],
    ['an unknown command', ['frob'], /unknown command: frob.*toggles -- --help/],
    ['an extra argument', ['report', TENANT, 'now'], /unexpected argument: now/],
    ['a bad --limit', ['audit', TENANT, '--limit', '500'], /--limit must be 1\.\.100/],
    ['--remote without --env', ['get', TENANT, '--kv', '--remote'], /--remote needs --env/],
  ])('%s: one line on stderr, exit 2', async (_, args, pattern) => {
    expectOneLineError(await cli(args), 2, pattern);
  });

  it('PORT that is not a port: exit 2', async () => {
    expectOneLineError(await cli(['get', TENANT], { PORT: 'eighty' }), 2, /PORT is not a port/);
  });

  it('throws a UsageError in process, before any request', async () => {
    await expect(toggles(['set', 'contoso', 'identity', 'on'])).rejects.toThrow(UsageError);
    await expect(toggles(['set', TENANT, 'identity', 'maybe'])).rejects.toThrow(
      /on, off or observe/,
    );
  });
});

describe('npm run toggles against the settings API', () => {
  let server: Server;
  let port: number;
  const seen: string[] = [];
  let url: string[];

  beforeAll(async () => {
    server = createServer(standIn(seen));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
    url = ['--url', `http://127.0.0.1:${port}`, '--token', 'stand-in'];
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('get: a table, one row per product; --json: the API JSON as it is', async () => {
    const table = await cli(['get', TENANT, ...url]);
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n').filter(Boolean)).toEqual([
      'PRODUCT    MODE         SOURCE   PHASE                                                     CHANGED BY   WHEN',
      'endpoint   on           tenant   opt-in                                                    Ada Admin    2026-11-02 09:15 UTC',
      'office     observe      tenant   on by default since 2021-10-01                            Bo Operator  2026-11-03 10:00 UTC',
      'identity   off          default  on by default from 2099-01-31, mandatory from 2099-07-02  -            -',
      'cloudapps  on (locked)  default  mandatory since 2024-06-16                                -            -',
    ]);
    const json = await cli(['get', TENANT, '--json', ...url]);
    expect(JSON.parse(json.stdout)).toEqual(STATE);
  });

  it('report: totals per product and window and the unmapped paths, not the hourly rows', async () => {
    const run = await cli(['report', TENANT, ...url]);
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines).toEqual([
      `Migration report for ${TENANT}, generated 2026-11-04 12:00 UTC`,
      '  24h: since 2026-11-03 13:00 UTC',
      '  7d: since 2026-10-28 13:00 UTC',
      '',
      'PRODUCT   WINDOW  NAVIGATIONS  REDIRECTED  OBSERVED  PASSED  PASSED BECAUSE',
      'endpoint  24h               7           5         0       2  session-sticky 2',
      '          7d               42          40         0       2  session-sticky 2',
      'office    24h               5           0         3       5  observe-would-redirect 3, session-sticky 2',
      '          7d               23           0        21      23  observe-would-redirect 21, session-sticky 2',
      '',
      'Top unmapped paths, 7 days (they land on the unified home):',
      'PRODUCT   PATH                    COUNT',
      'endpoint  /machines/:id/timeline     14',
      '',
    ]);
    const json = await cli(['report', TENANT, '--json', ...url]);
    expect(JSON.parse(json.stdout)).toEqual(REPORT);
  });

  it('audit and schedules: tables; the next page is named', async () => {
    const audit = await cli(['audit', TENANT, '--limit', '2', ...url]);
    expect(audit.stdout.split('\n').filter(Boolean)).toEqual([
      'WHEN                  PRODUCT   CHANGE                                 BY         VIA       FEEDBACK',
      '2026-11-03 10:00 UTC  office    on -> observe                          Ada Admin  admin     -',
      '2026-11-02 12:00 UTC  identity  schedules on for 2026-12-01 08:00 UTC  Ada Admin  admin     -',
      '2026-11-02 09:15 UTC  endpoint  on -> off                              Ada Admin  schedule  Runbooks still link the old portal',
      'More entries: add --cursor next-page-cursor',
    ]);
    expect(seen).toContain(`GET /api/tenants/${TENANT}/redirection/audit?limit=2`);
    const schedules = await cli(['schedules', TENANT, ...url]);
    expect(schedules.stdout).toMatch(
      /^ID\s+PRODUCT\s+MODE\s+AT\s+SET BY\s+SET AT\n6a79f601-\S+\s+identity\s+on\s+2026-12-01 08:00 UTC\s+Ada Admin\s+2026-11-04 11:00 UTC\n$/,
    );
    expect(JSON.parse((await cli(['schedules', TENANT, '--json', ...url])).stdout)).toEqual(
      SCHEDULES,
    );
  });

  it('PORT names the default URL; --url wins over it', async () => {
    seen.length = 0;
    const byPort = await cli(['get', TENANT, '--token', 'stand-in'], { PORT: String(port) });
    expect(byPort.code).toBe(0);
    expect(seen).toEqual([`GET /api/tenants/${TENANT}/redirection`]);
    const closed = await closedPort();
    const byUrl = await cli(['get', TENANT, ...url], { PORT: String(closed) });
    expect(byUrl.code).toBe(0);
  });

  it('the API refusing: one line with its error code and message, exit 1', async () => {
    expectOneLineError(
      await cli(['get', FORBIDDEN_TENANT, ...url]),
      1,
      /^error: 403 forbidden: This token is for another tenant\.$/m,
    );
    expectOneLineError(
      await cli(['report', UNAVAILABLE_TENANT, ...url]),
      1,
      /^error: 503 unavailable: Try again shortly\. \(retry after 5 s\)$/m,
    );
  });
});

describe('npm run toggles without a Worker or a store', () => {
  it('no Worker at the URL: one line, exit 1', async () => {
    const port = await closedPort();
    expectOneLineError(
      await cli(['get', TENANT], { PORT: String(port) }),
      1,
      new RegExp(`no Worker answered at http://127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)`),
    );
  });

  it('get --kv --remote without credentials: wrangler says why, exit 1, no product shown', async () => {
    const home = mkdtempSync(join(tmpdir(), 'no-credentials-'));
    const env: NodeJS.ProcessEnv = { HOME: home, XDG_CONFIG_HOME: join(home, '.config') };
    for (const name of ['CLOUDFLARE_API_TOKEN', 'CLOUDFLARE_API_KEY', 'CLOUDFLARE_ACCOUNT_ID'])
      env[name] = undefined;
    const run = await cli(['get', TENANT, '--kv', '--remote', '--env', 'production'], env, 100_000);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).not.toMatch(/default/);
    expectOneLineError(
      run,
      1,
      /^error: wrangler could not read KV \(--remote --env production\): \S/,
    );
  });

  it('get --kv of a folder npm start never used: one line, exit 1, not four defaults', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'no-state-'));
    expectOneLineError(
      await cli(['get', TENANT, '--kv', '--persist-to', empty]),
      1,
      /no local state in/,
    );
  });

  it('local KV: map-host and get --kv print no Durable Object warning', async () => {
    const state = mkdtempSync(join(tmpdir(), 'kv-'));
    const mapped = await cli(['map-host', 'fabrikam.atp.azure.com', TENANT, '--persist-to', state]);
    expect(mapped).toEqual({
      code: 0,
      stdout: `Mapped fabrikam.atp.azure.com to ${TENANT} in KV (local ${state}).\n`,
      stderr: '',
    });
    mkdirSync(join(state, 'v3'), { recursive: true });
    const read = await cli(['get', TENANT, '--kv', '--json', '--persist-to', state]);
    expect(read.stderr).toBe('');
    expect(JSON.parse(read.stdout)).toMatchObject({ tenantId: TENANT, source: 'kv' });
  });
});

describe('npm run token', () => {
  it('--help prints its usage and exits 0', async () => {
    const run = await runScript('scripts/token.ts', ['--help']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain('usage: npm run -s token -- --tenant <tenant> --role <role>');
  });

  it.each([
    ['an unknown option', ['--bogus'], /unknown option '--bogus'/],
    ['no tenant', ['--role', 'security-admin'], /missing --tenant/],
    ['a bad tenant', ['--tenant', 'contoso', '--role', 'security-admin'], /not a tenant id/],
    ['no role', ['--tenant', TENANT], /missing --role/],
    ['an unknown role', ['--tenant', TENANT, '--role', 'root'], /unknown role: root/],
    [
      'a bad lifetime',
      ['--tenant', TENANT, '--role', 'global-admin', '--expires-in', '1h'],
      /--expires-in/,
    ],
  ])('%s: one line, exit 2', async (_, args, pattern) => {
    expectOneLineError(await runScript('scripts/token.ts', args), 2, pattern);
  });
});

describe('npm start', () => {
  /** Hold a port as another program would. */
  async function hold(port: number): Promise<() => Promise<void>> {
    const server = createTcpServer();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    return () => new Promise<void>((resolve) => server.close(() => resolve()));
  }

  it.each(['PORT', 'ORIGIN_PORT'])('a busy %s: one line naming it, exit 1', async (name) => {
    const port = await closedPort();
    const other = await closedPort();
    const release = await hold(port);
    try {
      const env = {
        PORT: String(name === 'PORT' ? port : other),
        ORIGIN_PORT: String(name === 'PORT' ? other : port),
        PERSIST_TO: mkdtempSync(join(tmpdir(), 'busy-')),
      };
      const run = await runScript('scripts/start.ts', [], env);
      expect(run.code).toBe(1);
      expect(run.stderr.trimEnd().split('\n')).toEqual([
        `npm start: port ${port} on 127.0.0.1 is in use; stop what holds it, or set ${name} to another port`,
      ]);
      expect(run.stdout).toBe('');
    } finally {
      await release();
    }
  });

  it('a first run prints no untrue warning and builds once', async () => {
    const service = await startService(18_830, 'quiet');
    try {
      const output = service.output();
      expect(output).toContain('Ready on http://127.0.0.1:18830');
      // The bindings table lists the object (true); these two said it would not work (false).
      expect(output).not.toMatch(/internal Durable Objects|no such Durable Object class/);
      expect(output).not.toMatch(/WARNING|warning:/);
      expect(output).not.toMatch(/changed, restarting build/);
    } finally {
      service.stop();
    }
  });
});
