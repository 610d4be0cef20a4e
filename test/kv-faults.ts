/**
 * A wrapper around the real (miniflare) KV binding that injects faults on demand and counts
 * calls. Everything it does not break goes to the real namespace.
 */
export interface FaultMode {
  get: 'ok' | 'throw' | 'hang';
  put: 'ok' | 'throw' | '429';
  list: 'ok' | 'throw';
}

export interface FaultyKv {
  kv: KVNamespace;
  mode: FaultMode;
  calls: { get: number; put: number; list: number };
  injected: number;
}

export function faultyKv(real: KVNamespace, mode: Partial<FaultMode> = {}): FaultyKv {
  const state: FaultyKv = {
    kv: undefined as unknown as KVNamespace,
    mode: { get: 'ok', put: 'ok', list: 'ok', ...mode },
    calls: { get: 0, put: 0, list: 0 },
    injected: 0,
  };
  const fail = (message: string) => {
    state.injected++;
    return Promise.reject(new Error(message));
  };
  const kv = {
    get: (...args: unknown[]) => {
      state.calls.get++;
      if (state.mode.get === 'throw') return fail('KV GET failed: 500 Internal Server Error');
      if (state.mode.get === 'hang') {
        state.injected++;
        return new Promise(() => undefined);
      }
      return (real.get as (...a: unknown[]) => Promise<unknown>)(...args);
    },
    put: (...args: unknown[]) => {
      state.calls.put++;
      if (state.mode.put === '429') return fail('KV PUT failed: 429 Too Many Requests');
      if (state.mode.put === 'throw') return fail('KV PUT failed: 500 Internal Server Error');
      return (real.put as (...a: unknown[]) => Promise<unknown>)(...args);
    },
    list: (...args: unknown[]) => {
      state.calls.list++;
      if (state.mode.list === 'throw') return fail('KV LIST failed: 500');
      return (real.list as (...a: unknown[]) => Promise<unknown>)(...args);
    },
    delete: (key: string) => real.delete(key),
    getWithMetadata: (...args: unknown[]) =>
      (real.getWithMetadata as (...a: unknown[]) => Promise<unknown>)(...args),
  };
  state.kv = kv as unknown as KVNamespace;
  return state;
}
