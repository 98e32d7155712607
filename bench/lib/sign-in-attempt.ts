/** One sign-in of the storm and flood scenarios (bench/storm.ts, bench/flood-clients.ts),
 *  from `address` (X-Forwarded-For): the answer's status, or the error's name when there
 *  was none (a timeout after 30 s, a refused connection). */
export async function signInAttempt(apiUrl: string, email: string, password: string, address: string): Promise<string> {
  try {
    const res = await fetch(`${apiUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
      body: JSON.stringify({ email, password }),
      signal: AbortSignal.timeout(30_000),
    });
    await res.arrayBuffer();
    return String(res.status);
  } catch (err) {
    return (err as Error).name;
  }
}
