/**
 * Compile the SIEM link rewriter's WebAssembly (src/wasm/json-scan.ts, AssemblyScript) into
 * src/wasm/json-scan.wasm. The file is written only when its bytes change: `wrangler dev` runs
 * this as its build command and watches src/, so an identical rewrite would restart it forever.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const source = 'src/wasm/json-scan.ts';
const target = 'src/wasm/json-scan.wasm';
// SIMD: the scan looks at 16 bytes at a time. The memory the rewriter lays out (json-links.ts) is grown there if needed.
const flags = ['-O3', '--runtime', 'stub', '--enable', 'simd', '--initialMemory', '64'];

const dir = mkdtempSync(join(tmpdir(), 'json-scan-'));
try {
  const built = join(dir, 'json-scan.wasm');
  execFileSync(join('node_modules', '.bin', 'asc'), [source, ...flags, '-o', built], {
    stdio: 'inherit',
  });
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
