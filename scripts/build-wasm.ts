/**
 * Compile the SIEM link rewriter's WebAssembly (src/siem/assembly/json-scan.ts, AssemblyScript,
 * options in src/siem/asconfig.json) into src/siem/json-scan.wasm. The file is written only when
 * its bytes change: `wrangler dev` runs this as its build command and watches src/, so an
 * identical rewrite would restart it forever.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const config = 'src/siem/asconfig.json';
const target = 'src/siem/json-scan.wasm';

const dir = mkdtempSync(join(tmpdir(), 'json-scan-'));
try {
  const built = join(dir, 'json-scan.wasm');
  execFileSync(
    join('node_modules', '.bin', 'asc'),
    ['--config', config, '--target', 'release', '-o', built],
    {
      stdio: 'inherit',
    },
  );
  const bytes = readFileSync(built);
  let old: Buffer | null = null;
  try {
    old = readFileSync(target);
  } catch {
    old = null;
  }
  if (old === null || !old.equals(bytes)) writeFileSync(target, bytes);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
