import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Service {
  child: ChildProcess;
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
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${label}: npm start did not become ready in 90 s`)),
      90_000,
    );
    const onData = (chunk: Buffer) => {
      if (chunk.toString().includes('Ready on')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
  });
  return {
    child,
    stop: () => {
      if (child.pid) process.kill(-child.pid, 'SIGTERM');
    },
  };
}
