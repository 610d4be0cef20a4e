// The compiled scanner (assembly/json-scan.ts, built by `npm run build:wasm`), imported the way
// wrangler and the test pool load a `.wasm` file: as a compiled module (the CompiledWasm rule).
declare const module: WebAssembly.Module;
export default module;
