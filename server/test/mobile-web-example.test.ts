// A mobile-web app on another origin, calling the API with the typed client. The README's
// "Mobile-web clients" section shows this file as it is (unit/readme.test.ts checks that they
// stay the same); in the app itself, `fetch` is the browser's own.
import { createApiClient } from '@cloakroom/shared';
import { browserFetch, createTestApp } from '@cloakroom/server/testing';

test('a mobile-web app signs in, lists its sessions and signs out', async () => {
  const kit = await createTestApp({ env: { CORS_ORIGINS: 'https://m.example.test' } });
  try {
    const { email, password } = await kit.createUser({ password: 'a long passphrase' });

    // In the app: createApiClient({ baseUrl: 'https://api.example.com', credentials: 'include' })
    const api = createApiClient({ baseUrl: await kit.listen(), credentials: 'include', fetch: browserFetch({ origin: 'https://m.example.test' }) });

    const wrong = await api.login({ body: { email, password: 'not it' } });
    if (!wrong.ok) expect(wrong.error.code).toBe('invalid_credentials'); // typed: the codes login can answer

    const login = await api.login({ body: { email, password } });
    if (!login.ok) throw new Error(login.error.message); // 429 too_many_attempts: login.error.retryAfterSeconds
    expect(login.data.user.email).toBe(email);

    const sessions = await api.listSessions();
    expect(sessions.ok && sessions.data.sessions.filter((s) => s.current)).toHaveLength(1);

    await api.logout();
    expect((await api.me()).ok).toBe(false);
  } finally {
    await kit.close();
  }
});
