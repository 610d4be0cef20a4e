/**
 * What every CLI here shares: its two kinds of expected failure and their exit codes, strict
 * argument parsing whose errors are one line, and the wrapper that turns a `main(argv)` into a
 * process (stdout for results, stderr for one-line errors, the exit code).
 *
 * Exit codes, as gh and most Unix tools use them: 0 done, 1 failed (the Worker, its API or
 * wrangler said no, or did not answer), 2 the command line was wrong (nothing was tried).
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';

export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** A wrong command line: nothing was attempted. One line on stderr, exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  /** The command whose usage it broke, for the pointer to its `--help`. */
  command: string | undefined;
}

/** An expected failure: no Worker answered, the API refused, wrangler failed. One line, exit 1. */
export class CliError extends Error {
  override readonly name = 'CliError';
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** `parseArgs`, strict, positionals allowed; its errors (unknown option...) as a UsageError. */
export function parse<const O extends Options>(args: string[], options: O) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    // Node's messages are one sentence and a hint about `--`: keep the sentence.
    const message = error instanceof Error ? error.message : String(error);
    const sentence = (message.split(/\.\s/)[0] ?? message).replace(/\.$/, '');
    throw new UsageError(`${sentence.charAt(0).toLowerCase()}${sentence.slice(1)}`);
  }
}

/** The first line of a text, without terminal colour codes. */
export function firstLine(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes are what it removes.
  const plain = text.replace(/\u001b\[[0-9;]*m/g, '');
  return (plain.split('\n').find((line) => line.trim() !== '') ?? '').trim();
}

/**
 * Run `main` as the process: its result to stdout, an expected failure as one line on stderr
 * with exit 1 (CliError) or 2 (UsageError, with where to find the usage). Anything else is a bug
 * and keeps its stack.
 */
export async function runCli(
  main: (argv: string[]) => Promise<string>,
  argv: string[],
  helpFor: (error: UsageError) => string,
): Promise<void> {
  try {
    const out = await main(argv);
    if (out !== '') process.stdout.write(out.endsWith('\n') ? out : `${out}\n`);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`error: ${error.message}; see ${helpFor(error)}\n`);
      process.exitCode = EXIT_USAGE;
    } else if (error instanceof CliError) {
      process.stderr.write(`error: ${error.message}\n`);
      process.exitCode = EXIT_FAILED;
    } else {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error) : error}\n`);
      process.exitCode = EXIT_FAILED;
    }
  }
}
