// Reading what the app logged, with the test kit. docs/testing.md ("What the kit logs")
// shows this file as it is (unit/readme.test.ts checks that they stay the same).
import { createTestApp } from '@cloakroom/server/testing';

interface LogLine {
  level: number;
  msg: string;
  req?: { id: string; method: string; path: string };
  res?: { statusCode: number };
}

test('a sign-in is logged as a request line, without the password', async () => {
  const kit = await createTestApp({ captureLogs: true });
  try {
    const { email, password } = await kit.createUser();
    await kit.agent().post('/api/auth/login?source=docs').send({ email, password }).expect(200);

    const text: string = kit.logs(); // NDJSON: one JSON object per line
    const lines = text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as LogLine);
    expect(lines).toContainEqual(
      expect.objectContaining({ msg: 'request completed', req: expect.objectContaining({ method: 'POST', path: '/api/auth/login' }) }),
    );
    expect(text).not.toContain(password);
    expect(text).not.toContain('source=docs'); // no query strings
  } finally {
    await kit.close();
  }
});
