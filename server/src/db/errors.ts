/** Errors that mean "the database is not answering", as opposed to a bug or bad data.
 *  They become 503 service_unavailable, never 500. */
// Connection exception, insufficient resources, admin shutdown, and 57014: a statement
// cancelled by DATABASE_STATEMENT_TIMEOUT_MS (an overloaded or locked database).
const PG_UNAVAILABLE = /^(08|53|57P0|57014)/;
const NET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN']);
const SQLITE_UNAVAILABLE = new Set(['SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_CANTOPEN', 'SQLITE_IOERR', 'SQLITE_FULL', 'SQLITE_READONLY']);

export function isDatabaseUnavailable(err: unknown): boolean {
  // Duck-typed, not `instanceof Error`: errors made by Node itself (a refused socket)
  // come from another realm under a test runner's VM context and fail that check.
  if (typeof err !== 'object' || err === null) return false;
  const { code, message } = err as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    if (NET_CODES.has(code) || PG_UNAVAILABLE.test(code)) return true;
    if ([...SQLITE_UNAVAILABLE].some((c) => code.startsWith(c))) return true;
  }
  return (
    typeof message === 'string' &&
    /Connection terminated|timeout exceeded when trying to connect|Query read timeout|connection timeout|The database connection is not open|Cannot use a pool after calling end/i.test(
      message,
    )
  );
}

export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
