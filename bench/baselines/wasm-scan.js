// Reference, not a target: portal-redirect's SIEM rewrite of the bench payload done by a
// WebAssembly scanner (wasm-scan/scan.ts) instead of JavaScript, with the body read and written
// in the same 256 KiB BYOB batches. It only knows the payload's two link shapes, given here as
// portal-redirect maps them; the bench checks that it writes the same bytes as portal-redirect.
// Its ratio to the bare proxy is about the most a rewrite in the Worker could reach here.
import scanModule from '../../dist/bench/wasm-scan.wasm';
import { toOrigin } from './origin.mjs';

const BATCH = 256 * 1024;
const UNIFIED = 'https://security.microsoft.com';
const LEGACY = 'https://securitycenter.windows.com';
const KEYS = ['"LinkToWDATP"', '"IncidentLinkToWDATP"'];
// The scanner looks for the byte before each key's closing quote: the same for both.
const ANCHOR = 0x50; // P
// Memory layout (64 KiB pages): settings, then input, then output.
const SETTINGS = 64 * 1024;
const INPUT = 1024 * 1024;
const OUTPUT = 2 * 1024 * 1024;
const AREA = 1024 * 1024;

const wasm = new WebAssembly.Instance(scanModule, { env: { abort: () => { throw new Error('wasm-scan aborted'); } } }).exports;
const encoder = new TextEncoder();
const table = (chars) => {
  const t = new Uint8Array(256);
  for (const c of chars) t[c.charCodeAt(0)] = 1;
  return t;
};
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
// The characters PLAIN_SEGMENT and PLAIN_QUERY allow (src/core/links.ts).
const SEGMENT = table(`${ALNUM}-._~!$&'()*+,;=:@`);
const QUERY = table(`${ALNUM}-._~!$&()*+,;=:@/?`);

/** Settings for one tenant, written at SETTINGS: keys, the two class tables, then the shapes. */
function settings(tid) {
  const after = (sep) => (tid === null ? '' : `${sep}tid=${tid}`);
  const shapes = [
    { start: `${LEGACY}/alert/`, before: `${UNIFIED}/alert/`, after: after('?'), table: SEGMENT },
    { start: `${LEGACY}/incidents/byalert?`, before: `${UNIFIED}/incidents/byalert?`, after: after('&'), table: QUERY },
  ];
  const bytes = new Uint8Array(16 * 1024);
  const view = new DataView(bytes.buffer);
  let at = 0;
  const put = (data) => {
    bytes.set(data, at);
    at += data.length;
    return SETTINGS + at - data.length;
  };
  for (const key of KEYS) put(Uint8Array.of(key.length, ...encoder.encode(key)));
  put(Uint8Array.of(0));
  const tables = new Map([SEGMENT, QUERY].map((t) => [t, put(t)]));
  const fields = shapes.map((s) => {
    const text = [s.start, s.before, s.after].map((t) => encoder.encode(t));
    return [put(text[0]), text[0].length, put(text[1]), text[1].length, put(text[2]), text[2].length, tables.get(s.table)];
  });
  at = (at + 3) & ~3;
  const shapesAt = SETTINGS + at;
  view.setUint32(at, shapes.length, true);
  at += 4;
  for (const f of fields) for (const n of f) (view.setUint32(at, n, true), (at += 4));
  return { bytes: bytes.subarray(0, at), keysAt: SETTINGS, shapesAt };
}

function tenantOf(request) {
  try {
    const token = /^Bearer\s+(\S+)/i.exec(request.headers.get('authorization') ?? '')?.[1] ?? '';
    const tid = JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))).tid;
    return /^[0-9a-f-]{36}$/.test(tid) ? tid : null;
  } catch {
    return null;
  }
}

export default {
  async fetch(request, env) {
    const upstream = await toOrigin(request, env);
    if (upstream.body === null) return upstream;
    const own = settings(tenantOf(request));
    const reader = upstream.body.getReader({ mode: 'byob' });
    const decoder = new TextDecoder('utf-8', { fatal: true });
    let carry = new Uint8Array(0);
    let done = false;
    const body = new ReadableStream({
      async pull(controller) {
        // Read into the first part of a buffer whose whole length then carries the output out
        // (links grow by their tenant), so no batch allocates twice.
        const read = await reader.readAtLeast(BATCH, new Uint8Array(new ArrayBuffer(BATCH + 128 * 1024), 0, BATCH + 64 * 1024));
        done = read.done;
        const value = read.value ?? new Uint8Array(0);
        if (carry.length + value.length > AREA) throw new Error('a value longer than the reference handles');
        // Requests share the instance: each call brings its own settings (its tenant's shapes).
        const memory = new Uint8Array(wasm.memory.buffer);
        memory.set(own.bytes, SETTINGS);
        memory.set(carry, INPUT);
        memory.set(value, INPUT + carry.length);
        const length = carry.length + value.length;
        const consumed = wasm.scan(INPUT, length, OUTPUT, own.keysAt, ANCHOR, own.shapesAt, done);
        // Like portal-redirect, only a body of valid UTF-8 is JSON (a check the payload never fails).
        if (wasm.sawNonAscii()) decoder.decode(memory.subarray(INPUT, INPUT + consumed), { stream: !done });
        carry = memory.slice(INPUT + consumed, INPUT + length);
        const written = wasm.written();
        const output = memory.subarray(OUTPUT, OUTPUT + written);
        if (written > value.buffer.byteLength) controller.enqueue(output.slice());
        else if (written > 0) {
          const chunk = new Uint8Array(value.buffer, 0, written);
          chunk.set(output);
          controller.enqueue(chunk);
        }
        if (done) controller.close();
      },
      cancel: (reason) => reader.cancel(reason),
    });
    const response = new Response(body, upstream);
    response.headers.delete('content-length');
    return response;
  },
};
