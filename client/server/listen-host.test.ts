/** Issue 8.9: a client process that signs with the public development secret listens
 *  on loopback only, unless WEB_HOST says otherwise (then with a warning). */
import { DEV_SESSION_SECRET } from '@cloakroom/shared';
// The module is CommonJS on purpose (node --require loads it before Next).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { chooseHost } = require('./listen-host.cjs') as {
  chooseHost: (env: Record<string, string | undefined>) => { host: string | undefined; warning: string | undefined };
};

const SECRET = 'x'.repeat(40);

test.each([
  ['no secret at all (the development secret signs)', {}, '127.0.0.1', false],
  ['SESSION_SECRET set to the development secret', { SESSION_SECRET: DEV_SESSION_SECRET }, '127.0.0.1', false],
  ['a secret of its own: HOSTNAME as the start script set it', { SESSION_SECRET: SECRET }, undefined, false],
  ['IDENTITY_HEADER_SECRET of its own', { IDENTITY_HEADER_SECRET: SECRET }, undefined, false],
  ['the development secret, WEB_HOST=0.0.0.0: as told, with a warning', { WEB_HOST: '0.0.0.0' }, '0.0.0.0', true],
  ['the development secret, WEB_HOST on loopback: no warning', { WEB_HOST: '::1' }, '::1', false],
  ['a secret of its own and WEB_HOST', { SESSION_SECRET: SECRET, WEB_HOST: '0.0.0.0' }, '0.0.0.0', false],
] as const)('%s', (_what, env, host, warns) => {
  const chosen = chooseHost(env);
  expect(chosen.host).toBe(host);
  expect(chosen.warning !== undefined).toBe(warns);
});
