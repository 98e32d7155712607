/** GET /healthz (the process is up) and GET /readyz (Redis and the database answer). */
import { readinessResponseSchema } from '@cloakroom/shared';
import { createTestApp, testDatabases, type TestApp } from '@cloakroom/server/testing';
import { setCookies } from './helpers/cookies';

describe.each(testDatabases())('health on $name', ({ databaseUrl }) => {
  let kit: TestApp;
  beforeAll(async () => {
    kit = await createTestApp({ databaseUrl });
  });
  afterAll(() => kit.close());

  test('/healthz: 200 {status: "ok"}, no session, no cookie', async () => {
    const res = await kit.agent().get('/healthz').expect(200);
    expect(res.body).toEqual({ status: 'ok' });
    expect(setCookies(res)).toEqual([]);
    expect(res.headers['x-powered-by']).toBeUndefined();
    await kit.agent().head('/healthz').expect(200);
  });

  test('/readyz: 200 with both checks ok', async () => {
    const res = await kit.agent().get('/readyz').expect(200);
    expect(readinessResponseSchema.strict().parse(res.body)).toEqual({ status: 'ok', checks: { redis: 'ok', database: 'ok' } });
    expect(setCookies(res)).toEqual([]);
  });
});

test('/readyz: 503 service_unavailable naming the database when it stops answering; /healthz stays 200', async () => {
  const kit = await createTestApp();
  try {
    await kit.infra.db.destroy();
    const res = await kit.agent().get('/readyz').expect(503);
    expect(res.body).toEqual({
      error: {
        code: 'service_unavailable',
        message: expect.stringMatching(/database/),
        details: [{ path: 'database', code: 'down', message: expect.any(String) }],
      },
    });
    await kit.agent().get('/healthz').expect(200);
  } finally {
    await kit.close();
  }
});
