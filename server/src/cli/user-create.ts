/** `npm run user:create -- --email E --role admin|user [--name N]`: creates a user, or
 *  sets the role of the user who has that email already (the password is then left
 *  alone), through the same path as an admin's role change: the last admin cannot be
 *  demoted, and the change is in the user's audit trail. This is how an operator gets
 *  the first admin. The password comes from
 *  standard input when it is piped, or is prompted for twice without echo on a
 *  terminal; it is validated exactly as registration validates it and never printed.
 *  Needs the database and the API's Redis: a role change goes through the user's Redis
 *  record (auth/user-records.ts), so the user's very next request sees it. */
import { parseArgs } from 'node:util';
import { emailSchema, registerBodySchema, roleSchema } from '@cloakroom/shared';
import type { z } from 'zod';
import pino from 'pino';
import { accounts } from '../accounts/accounts';
import { roleChanges } from '../admin/users';
import { createPasswordHasher } from '../auth/passwords/hasher';
import { userRecords } from '../auth/user-records';
import { PASSWORD_PROBLEM_MESSAGES } from '../auth/passwords/policy';
import { loadDatabaseConfig } from '../config/env';
import { rolesRepository } from '../db/roles';
import { securityEventsRepository } from '../db/security-events';
import { usersRepository, type Role, type UserRow } from '../db/users';
import { securityEvents } from '../events/security-events';
import { connectDatabase } from '../infrastructure';
import { createLogger } from '../logging/logger';
import { readNewPassword } from './password-input';
import { connectCliRedis } from './redis';
import { CliError, runCli } from './run';

const USAGE = 'usage: npm run user:create -- --email <email> --role admin|user [--name <name>]';

function check<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new CliError(`${what}: ${result.error.issues.map((i) => i.message).join('; ')}`);
  return result.data;
}

function fail(message: string): never {
  throw new CliError(message);
}

function parseArguments(argv: string[]): { email: string; role: Role; name: string | undefined } {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { email: { type: 'string' }, role: { type: 'string' }, name: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new CliError(`${(err as Error).message.split('\n')[0]} (${USAGE})`);
  }
  if (values.email === undefined) throw new CliError(`--email is required (${USAGE})`);
  if (values.role === undefined) throw new CliError(`--role is required (${USAGE})`);
  return {
    email: check(emailSchema, values.email, '--email'),
    role: roleSchema.safeParse(values.role).data ?? fail(`--role must be admin or user (got "${values.role}")`),
    name: check(registerBodySchema.shape.name, values.name, '--name'),
  };
}

function describe(user: UserRow): string {
  return `${user.email} (id ${user.id}, role ${user.role})`;
}

/** Who the audit trail names for a change made here. */
const OPERATOR = { ip: null, userAgent: 'cloakroom user:create' };

runCli('user:create', async () => {
  const args = parseArguments(process.argv.slice(2));
  const config = loadDatabaseConfig();
  const { db } = await connectDatabase(config.databaseUrl, { pool: config.databasePool });
  const users = usersRepository(db);
  const { redis, keys } = await connectCliRedis().catch(async (err: unknown) => {
    await db.destroy();
    throw err;
  });
  const records = userRecords(redis, keys, users);
  try {
    // The tool's one line goes to stdout; a failed audit write is reported on stderr.
    const events = securityEvents(securityEventsRepository(db), createLogger('warn', pino.destination(2)));
    const changeRole = roleChanges(rolesRepository(db), records, events);
    const setRole = async (user: UserRow): Promise<string> => {
      if (user.role === args.role) return `${describe(user)} exists already; nothing changed`;
      const result = await changeRole('cli', user.id, args.role, OPERATOR);
      if (!result.ok && result.reason === 'last_admin') throw new CliError(`${describe(user)} is the last admin: make someone else an admin first`);
      if (!result.ok) throw new CliError(`${args.email} was deleted meanwhile; nothing changed`);
      return `${describe(result.user)} exists already: role set to ${args.role} (password unchanged)`;
    };

    const existing = await users.findByEmail(args.email);
    if (existing) return await setRole(existing);

    const password = await readNewPassword();
    const body = check(registerBodySchema, { email: args.email, password, name: args.name }, 'password');
    const hasher = await createPasswordHasher(config.passwordHash, 1);
    const result = await accounts(users, records, hasher).register({ ...body, role: args.role });
    if (result.ok) return `created ${describe(result.user)}`;
    if (result.reason === 'weak_password') throw new CliError(`password: ${result.problems.map((p) => PASSWORD_PROBLEM_MESSAGES[p]).join('; ')}`);
    // Someone created the same email since we looked: treat it as the update it now is.
    return await setRole((await users.findByEmail(args.email))!);
  } finally {
    await Promise.allSettled([redis.close(), db.destroy()]);
  }
});
