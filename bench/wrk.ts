/**
 * wrk as a load generator: a Lua script that cycles through a list of requests, and a parser of
 * wrk's summary. wrk (C, one thread) uses a fraction of autocannon's CPU per request, so on two
 * shared cores it leaves more of them to the Workers being compared. Debian: `apt-get install wrk`.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface WrkRequest {
  method: 'GET';
  path: string;
  headers: Record<string, string>;
}

/** One run's figures (also autocannon's, in bench/run.ts). */
export interface WrkMeasure {
  rps: number;
  p50: number;
  p99: number;
  bytesPerSec: number;
  errors: number;
  /** Answers with another status than expected (wrk: neither 2xx nor 3xx). */
  unexpected: number;
}

/** wrk's size units (powers of 1024) and time units (in ms). */
const UNITS: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 };
const MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

const lua = (text: string) => JSON.stringify(text); // a JSON string is a valid Lua string here

/** A Lua script that sends `requests` in turn, each connection starting at its own offset. */
export function wrkScript(requests: readonly WrkRequest[]): string {
  const rows = requests.map((r) => {
    const headers = Object.entries(r.headers)
      .map(([k, v]) => `[${lua(k)}]=${lua(v)}`)
      .join(',');
    return `{${lua(r.method)},${lua(r.path)},{${headers}}}`;
  });
  const file = join(tmpdir(), `wrk-${process.pid}-${Date.now()}.lua`);
  writeFileSync(
    file,
    `local rows = {${rows.join(',\n')}}
local n = 0
init = function(args) n = math.random(#rows) end
request = function()
  n = n % #rows + 1
  local r = rows[n]
  return wrk.format(r[1], r[2], r[3])
end
`,
  );
  return file;
}

/** Run wrk against `url` with a script from `wrkScript`; null when wrk is not installed. */
export function runWrk(
  url: string,
  script: string,
  seconds: number,
  connections: number,
): WrkMeasure | null {
  let out: string;
  try {
    out = execFileSync(
      'wrk',
      ['-t', '1', '-c', String(connections), '-d', `${seconds}s`, '--latency', '-s', script, url],
      { encoding: 'utf8' },
    );
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  return parseWrk(out);
}

export function parseWrk(out: string): WrkMeasure {
  const num = (re: RegExp) => Number(re.exec(out)?.[1] ?? 0);
  const read = /([\d.]+)([KMG]?B) read/.exec(out);
  const took = /requests in ([\d.]+)(us|ms|s|m)/.exec(out);
  const latency = (p: string) => {
    const m = new RegExp(`\\b${p}%\\s+([\\d.]+)(us|ms|s|m)`).exec(out);
    return m ? Math.round(Number(m[1]) * (MS[m[2] as string] as number)) : 0;
  };
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  return {
    rps: num(/Requests\/sec:\s+([\d.]+)/),
    p50: latency('50'),
    p99: latency('99'),
    bytesPerSec:
      read && took
        ? (Number(read[1]) * (UNITS[read[2] as string] as number)) /
          ((Number(took[1]) * (MS[took[2] as string] as number)) / 1000)
        : 0,
    errors: socket ? socket.slice(1).reduce((n, x) => n + Number(x), 0) : 0,
    unexpected: num(/Non-2xx or 3xx responses:\s+(\d+)/),
  };
}
