import fs from 'node:fs';
import path from 'node:path';
import { databaseKind } from './connection';

interface Explanation {
  reason: string;
  how: string;
}

/** The error's own code, or that of its cause (a failed migration wraps the driver's). */
function codeOf(err: unknown): string | undefined {
  for (let e = err; typeof e === 'object' && e !== null; e = (e as { cause?: unknown }).cause) {
    const { code } = e as { code?: unknown };
    if (typeof code === 'string') return code;
  }
  return undefined;
}

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err)).replace(/\.$/, '');

const writable = (p: string) => {
  try {
    fs.accessSync(p, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
};

/** SQLite errors say little ("unable to open database file"), so the file system is
 *  asked what stands in the way. WAL mode writes files beside the database, so its
 *  folder must be writable, not only the file. */
function explainSqlite(url: string, err: unknown): Explanation {
  const how = 'Set DATABASE_URL to a file in a folder this user can write (the default is sqlite:./data/cloakroom.db), or fix the permissions.';
  const name = url.slice('sqlite:'.length);
  if (name === ':memory:' || name === '')
    return { reason: messageOf(err), how: 'An in-memory database needs only the better-sqlite3 driver: check that `npm ci` built it.' };
  const file = path.resolve(name);
  const folder = path.dirname(file);
  let existing = folder;
  while (!fs.existsSync(existing)) existing = path.dirname(existing);
  if (!fs.statSync(existing).isDirectory()) {
    return { reason: existing === folder ? `${folder} is a file, not a folder` : `${existing} is a file, so the folder ${folder} cannot be created`, how };
  }
  if (existing !== folder && !writable(existing)) return { reason: `this user may not create the folder ${folder} (no write permission in ${existing})`, how };
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) return { reason: `${file} is a folder, not a database file`, how };
  if (!writable(folder)) return { reason: `this user may not write in the folder ${folder}`, how };
  if (fs.existsSync(file) && !writable(file)) return { reason: `${file} is read-only for this user`, how };
  if (codeOf(err) === 'SQLITE_NOTADB')
    return { reason: `${file} is not a SQLite database`, how: 'Point DATABASE_URL at a Cloakroom database, or at a file that does not exist yet.' };
  return { reason: messageOf(err), how };
}

function explainPostgres(url: string, err: unknown): Explanation {
  const { hostname, port, username, pathname } = new URL(url);
  const reason = messageOf(err);
  switch (codeOf(err)) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return {
        reason: `the host ${hostname} is not known`,
        how: 'Check the host in DATABASE_URL (`postgres` is a name only inside docker compose; from this machine use 127.0.0.1).',
      };
    case '28P01': // invalid_password
    case '28000': // invalid_authorization_specification: unknown role, no pg_hba.conf entry
      return { reason, how: 'Check the user name and password in DATABASE_URL (and pg_hba.conf if the server refuses this address).' };
    case '3D000': // invalid_catalog_name
      return {
        reason,
        how: `Create it (\`createdb -h ${hostname} -p ${port || 5432} -U ${username || 'postgres'} ${pathname.slice(1)}\`), or name an existing database in DATABASE_URL.`,
      };
    case '42501': // insufficient_privilege: since PostgreSQL 15 only the owner may create tables in `public`
      return {
        reason,
        how: `The user must be allowed to create tables: make it the database's owner (\`ALTER DATABASE ${pathname.slice(1)} OWNER TO ${username || 'postgres'}\`) or grant it CREATE on the schema.`,
      };
    default:
      return { reason, how: 'Start PostgreSQL (`docker compose up local-postgres`, or your own service), or unset DATABASE_URL to use SQLite.' };
  }
}

/** One line naming why the database could not be opened or brought up to date at
 *  start-up, and what to do about it. `shownUrl` is the URL with its password hidden. */
export function explainDatabaseFailure(shownUrl: string, url: string, err: unknown): string {
  const { reason, how } = databaseKind(url) === 'sqlite' ? explainSqlite(url, err) : explainPostgres(url, err);
  return `The database at ${shownUrl} is not usable: ${reason}. ${how}`;
}
