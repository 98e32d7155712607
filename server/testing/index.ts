/**
 * The Cloakroom test kit (`@cloakroom/server/testing`), for suites against the API:
 *
 *   const kit = await createTestApp();
 *   const { agent, user } = await kit.signedInAgent({ role: 'admin' });
 *   await agent.get('/api/me').expect(200);
 *   await kit.close();
 *
 * Built on its own (server/testing/tsconfig.json), never part of the API's build or image.
 */
export { createTestApp, testDatabases, type TestApp, type TestAppOptions, type TestUser, type TestUserInput } from './kit';
export { browserFetch, type BrowserFetch, type BrowserFetchOptions } from './browser-fetch';
export { contractCheck, type ContractCheck, type Exchange } from './contract';
export { ContractViolation, takeContractViolations } from './violations';
export { closeServer, freePort, listenOn, serve, signIn, sleep } from './helpers';
export { createMailCatcher, type CaughtMail, type MailCatcher } from './mail-catcher';
