/** A service the API needs is missing at start (Redis, the database): one line for the
 *  operator, saying what failed and how to fix it. Here, not beside the Redis client,
 *  so the database and command-line code can use it without loading any Redis code. */
export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartupError';
  }
}

/** Hides a password in a connection URL before it is printed. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<unparseable URL>';
  }
}
