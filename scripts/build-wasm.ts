/**
 * Compile the SIEM link rewriter's WebAssembly (src/siem/assembly/json-scan.ts, AssemblyScript,
 * options in src/siem/asconfig.json) into src/siem/json-scan.wasm. The file is written only when
 * its bytes change, so a watcher that reloads on it (wrangler dev's esbuild) reloads only for a
 * real change.
 *
 * Who runs it: `npm test` and `npm run build:wasm`; wrangler's build command in the deployed envs
 * (wrangler.jsonc); `npm start` before `wrangler dev` and again when the AssemblyScript changes;
 * the benchmarks before they bundle.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const config = join(ROOT, 'src/siem/asconfig.json');
const target = join(ROOT, 'src/siem/json-scan.wasm');

/** What the wasm is built from: a change under these needs a new build. */
export const WASM_SOURCES = [join(ROOT, 'src/siem/assembly'), config];

/** Build the wasm; `true` when its bytes changed (or it was missing). Throws when asc fails. */
export function buildWasm(): boolean {
  const dir = mkdtempSync(join(tmpdir(), 'json-scan-'));
  try {
    const built = join(dir, 'json-scan.wasm');
    execFileSync(
      join(ROOT, 'node_modules', '.bin', 'asc'),
      ['--config', config, '--target', 'release', '-o', built],
      { stdio: 'inherit', cwd: ROOT },
    );
    const bytes = readFileSync(built);
    let old: Buffer | null = null;
    try {
      old = readFileSync(target);
    } catch {
      old = null;
    }
    if (old?.equals(bytes)) return false;
    writeFileSync(target, bytes);
    return true;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) buildWasm();
