import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Service {
  child: ChildProcess;
  /** Everything it printed (stdout and stderr, in arrival order) so far. */
  output(): string;
  stop(): void;
}

/**
 * Start the service as `npm start` does (demo origin on port+1, fresh local KV) and resolve once
 * wrangler dev says it is ready.
 */
export async function startService(
  port: number,
  label: string,
  env: Record<string, string> = {},
): Promise<Service> {
  const child = spawn('npx', ['tsx', 'scripts/start.ts'], {
    env: {
      ...process.env,
      PORT: String(port),
      ORIGIN_PORT: String(port + 1),
      PERSIST_TO: mkdtempSync(join(tmpdir(), `${label}-`)),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const record = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout?.on('data', record);
  child.stderr?.on('data', record);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${label}: npm start did not become ready in 90 s`)),
      90_000,
    );
    const onData = () => {
      if (output.includes('Ready on')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${label}: npm start exited (${code}) before it was ready:\n${output}`));
    });
  });
  return {
    child,
    output: () => output,
    stop: () => {
      if (child.pid) process.kill(-child.pid, 'SIGTERM');
    },
  };
}
