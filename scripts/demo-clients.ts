/**
 * The client id each demo legacy portal (scripts/demo-portal.ts) signs in with: the id_token's
 * `aud`. A Worker in front of the demo portals names the same ids in SIGNIN_AUDIENCES (`npm
 * start` and the tests pass `demoAudiences()`). No imports: the workerd tests read it too.
 */
export const DEMO_CLIENT_IDS = {
  endpoint: 'de000000-0000-4000-8000-0000000000e1',
  office: 'de000000-0000-4000-8000-00000000000f',
  identity: 'de000000-0000-4000-8000-0000000000d1',
  cloudapps: 'de000000-0000-4000-8000-0000000000ca',
} as const;

/** SIGNIN_AUDIENCES for a Worker in front of the demo portals. */
export function demoAudiences(): string {
  return JSON.stringify(DEMO_CLIENT_IDS);
}
