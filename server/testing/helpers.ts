/**
 * Small helpers every suite needs, in one place for the server's tests, the fault tests,
 * the browser tests (client/e2e) and the benchmarks (bench/): a free port, a real server
 * on one, a pause, and a sign-in over real HTTP.
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import net from 'node:net';
import { API_ROUTES } from '@cloakroom/shared';

/** A TCP port on which nothing listens right now (taken from the OS, then released): for
 *  a server a test is about to start, or an address where nothing answers. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Starts `server` listening on a free loopback port; resolves with its base URL. */
export function listenOn(server: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as net.AddressInfo).port}`));
  });
}

/** Closes `server`, ending the connections still open (keep-alive ones too). */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

/** `handler` on a real server on a free port (real sockets, real concurrency). */
export async function serve(handler: RequestListener): Promise<{ base: string; server: Server; close: () => Promise<void> }> {
  const server = createServer(handler);
  const base = await listenOn(server);
  return { base, server, close: () => closeServer(server) };
}

/** Waits `ms` milliseconds. Where a test waits for a session limit to pass, it waits on
 *  the real clock on purpose: Redis's expiry is part of what it checks. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Signs in through `POST /api/auth/login` at `baseUrl` (a real server); returns the
 *  `name=value` of the session cookie, for a Cookie header. */
export async function signIn(baseUrl: string, email: string, password: string): Promise<string> {
  const res = await fetch(`${baseUrl}${API_ROUTES.login.path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`sign-in at ${baseUrl} answered ${res.status}: ${text}`);
  const cookie = res.headers.getSetCookie()[0]?.split(';')[0];
  if (!cookie) throw new Error(`sign-in at ${baseUrl} set no cookie`);
  return cookie;
}
