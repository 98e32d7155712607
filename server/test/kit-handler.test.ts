/**
 * The suites test what production serves (issue 8.11): the kit's handler, which its
 * agents, `kit.app` and `kit.handler` all are, is createApp's handler (Express behind the
 * GET /api/me fast path), as main.ts serves it; the ASVS suites and the client's proxy
 * test take their API from the kit, never the bare Express app.
 */
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { API_ROUTES } from '@cloakroom/shared';
import { createTestApp, type TestApp } from '@cloakroom/server/testing';
import { ROOT } from './helpers/processes';

let kit: TestApp;
beforeAll(async () => {
  kit = await createTestApp();
});
afterAll(() => kit.close());

test("agents, kit.app and kit.handler are production's handler: a plain GET /api/me is answered by the fast path, which the bare Express app does not have", async () => {
  expect(kit.app).toBe(kit.handler);
  const { agent } = await kit.signedInAgent();
  const cookie = (await agent.get(API_ROUTES.me.path).expect(200)).request.cookies;
  const served = kit.handler.stats.served;
  await agent.get(API_ROUTES.me.path).expect(200);
  await request(kit.app).get(API_ROUTES.me.path).set('Cookie', cookie).expect(200);
  await request(kit.handler).get(API_ROUTES.me.path).set('Cookie', cookie).expect(200);
  await kit.agent().get(API_ROUTES.me.path).set('Cookie', cookie).expect(200);
  expect(kit.handler.stats.served).toBe(served + 4);
});

/** The suites of issue 8.11. */
const SUITES = [
  ...fs
    .readdirSync(path.join(ROOT, 'server/test/security'))
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => `server/test/security/${f}`),
  'client/test/page-gate.test.ts',
];

test.each(SUITES)('%s takes its API from the kit (or createApp().handler), never the bare Express app', (file) => {
  const source = fs.readFileSync(path.join(ROOT, file), 'utf8');
  expect(source).toMatch(/from '@cloakroom\/server\/testing'/);
  // createApp().express is the only way to the bare app; nothing imports express to build one.
  expect(source).not.toMatch(/\.express\b/);
  expect(source).not.toMatch(/from 'express'/);
  for (const call of source.matchAll(/\bcreateApp\(/g)) expect(source.slice(afterCall(source, call.index + 'createApp'.length))).toMatch(/^\.handler\b/);
});

/** Where the call whose `(` is at `open` ends. */
function afterCall(source: string, open: number): number {
  let depth = 0;
  for (let i = open; i < source.length; i++) {
    if (source[i] === '(') depth++;
    else if (source[i] === ')' && --depth === 0) return i + 1;
  }
  return source.length;
}
