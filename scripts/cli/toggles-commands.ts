/**
 * The toggles CLI's commands as data: each one's arguments, options and help text. The parser
 * accepts exactly the options a command lists, so a misspelt or misplaced option is an error,
 * never silently ignored. docs/cli.md describes the same commands.
 */
import { PRODUCT_IDS } from '../../src/catalogue/types.ts';

export const CLI = 'npm run toggles --';

type OptionSpec = { type: 'string' | 'boolean'; short?: string };

/** Every option any command takes, with its help line. */
export const OPTIONS = {
  help: { spec: { type: 'boolean', short: 'h' }, help: 'this help' },
  json: { spec: { type: 'boolean' }, help: "the settings API's JSON as it is, for scripts" },
  url: {
    spec: { type: 'string' },
    value: '<origin>',
    help: "the Worker's admin origin (default http://127.0.0.1:$PORT, PORT default 8787)",
  },
  token: {
    spec: { type: 'string' },
    value: '<jwt>',
    help: 'a bearer token (default: a global-admin token signed with the local dev key)',
  },
  actor: {
    spec: { type: 'string' },
    value: '<name>',
    help: 'your name in the dev token, for the audit log',
  },
  feedback: { spec: { type: 'string' }, value: '<text>', help: 'why, when turning a product off' },
  kv: { spec: { type: 'boolean' }, help: 'read the KV records the edge reads, not the API' },
  remote: { spec: { type: 'boolean' }, help: 'the deployed KV namespace of --env (via wrangler)' },
  env: {
    spec: { type: 'string' },
    value: '<name>',
    help: 'a wrangler.jsonc environment (staging, production)',
  },
  'persist-to': {
    spec: { type: 'string' },
    value: '<dir>',
    help: "local state, as npm start's PERSIST_TO (default .wrangler/state)",
  },
  product: { spec: { type: 'string' }, value: '<product>', help: 'only this product' },
  from: {
    spec: { type: 'string' },
    value: '<iso>',
    help: 'from this ISO-8601 instant (inclusive)',
  },
  to: { spec: { type: 'string' }, value: '<iso>', help: 'to this ISO-8601 instant (exclusive)' },
  limit: { spec: { type: 'string' }, value: '<n>', help: 'entries per page, 1..100 (default 50)' },
  cursor: {
    spec: { type: 'string' },
    value: '<cursor>',
    help: 'the next page, from the previous page',
  },
} satisfies Record<string, { spec: OptionSpec; help: string; value?: string }>;

export type OptionName = keyof typeof OPTIONS;

export interface Command {
  name: string;
  args: string;
  summary: string;
  /** More about it, for its --help. */
  details?: string;
  options: OptionName[];
  /** Help lines that replace OPTIONS' line for this command. */
  optionHelp?: Partial<Record<OptionName, string>>;
}

const API: OptionName[] = ['json', 'url', 'token'];
const MODES = 'on|off|observe';

export const COMMANDS: Command[] = [
  {
    name: 'get',
    args: '<tenant>',
    summary: "every product's redirection state",
    details:
      'Through the running Worker by default. With --kv, the KV records the edge reads instead\n' +
      '(locally, or with --remote --env <env> the deployed namespace, through wrangler).',
    options: [...API, 'kv', 'remote', 'env', 'persist-to'],
  },
  {
    name: 'set',
    args: `<tenant> <product> ${MODES}`,
    summary: "change one product's redirection now",
    options: [...API, 'feedback', 'actor'],
  },
  {
    name: 'schedule',
    args: `<tenant> <product> ${MODES} <iso instant>`,
    summary: 'change one product at a later time',
    options: [...API, 'actor'],
  },
  {
    name: 'schedules',
    args: '<tenant>',
    summary: 'the pending scheduled changes, soonest first',
    options: API,
  },
  {
    name: 'unschedule',
    args: '<tenant> <id>',
    summary: 'cancel a pending scheduled change',
    options: [...API, 'actor'],
  },
  {
    name: 'report',
    args: '<tenant>',
    summary: 'the migration report: 24 h and 7 d counts, unmapped paths',
    details: 'The hourly series behind the settings page chart is in --json only.',
    options: API,
  },
  {
    name: 'audit',
    args: '<tenant>',
    summary: 'the audit log, newest first, one page',
    options: [...API, 'product', 'actor', 'from', 'to', 'limit', 'cursor'],
    optionHelp: { actor: 'only changes by this actor (object id or UPN)' },
  },
  {
    name: 'export',
    args: '<tenant> csv|json',
    summary: 'the whole audit log as a file, to stdout',
    options: ['url', 'token'],
  },
  {
    name: 'map-host',
    args: '<host> <tenant>',
    summary: "name a tenant-specific host's tenant in KV",
    details: 'Writes KV directly (locally, or with --remote --env <env> the deployed namespace).',
    options: ['json', 'remote', 'env', 'persist-to'],
  },
];

export function commandNamed(name: string | undefined): Command | undefined {
  return COMMANDS.find((c) => c.name === name);
}

/** The parseArgs options of a command (plus --help). */
export function optionsOf(command: Command | undefined): Record<string, OptionSpec> {
  const names: OptionName[] = ['help', ...(command?.options ?? [])];
  return Object.fromEntries(names.map((n) => [n, OPTIONS[n].spec]));
}

const pad = (text: string, width: number) => text.padEnd(width);

export function topHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return [
    "Read and change portal-redirect's redirection toggles.",
    '',
    `usage: ${CLI} <command> [arguments] [options]`,
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${pad(c.name, width)}${c.summary}`),
    '',
    "Every command but map-host and get --kv calls the running Worker's settings API (npm start).",
    "Output is a table; --json prints the API's JSON for scripts.",
    `products: ${PRODUCT_IDS.join(', ')}`,
    'exit codes: 0 done, 1 failed (the Worker, its API or wrangler), 2 wrong command line',
    '',
    `${CLI} <command> --help   a command's arguments and options (docs/cli.md)`,
  ].join('\n');
}

export function commandHelp(command: Command): string {
  const names: OptionName[] = [...command.options, 'help'];
  const width = Math.max(...names.map((n) => optionLabel(n).length)) + 2;
  return [
    `${command.summary[0]?.toUpperCase()}${command.summary.slice(1)}.`,
    '',
    `usage: ${CLI} ${command.name} ${command.args} [options]`,
    ...(command.details ? ['', command.details] : []),
    '',
    'options:',
    ...names.map(
      (n) => `  ${pad(optionLabel(n), width)}${command.optionHelp?.[n] ?? OPTIONS[n].help}`,
    ),
  ].join('\n');
}

function optionLabel(name: OptionName): string {
  const option: { spec: OptionSpec; value?: string } = OPTIONS[name];
  const short = option.spec.short ? `-${option.spec.short}, ` : '';
  return `${short}--${name}${option.value ? ` ${option.value}` : ''}`;
}
