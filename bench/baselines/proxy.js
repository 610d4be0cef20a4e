// Baseline: a Worker that only proxies to the origin (what pass-through costs with no decision).
import { toOrigin } from './origin.mjs';

export default {
  async fetch(request, env) {
    return toOrigin(request, env);
  },
};
