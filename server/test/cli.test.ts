/** The operator's command-line tools, run as real processes (the build `npm run user:create` runs):
 *  `user:create` (piped and prompted passwords, validation, role updates) and
 *  `db:migrate`. A user it creates signs in through the API. */
import { spawn } from 'node:child_process';
import { createTestApp, testDatabases, type TestApp } from '@cloakroom/server/testing';
import { migrations } from '../src/db/migrations';
import { scratchDatabase } from './helpers/databases';
import { built, childEnv, deadPort, finished, ROOT, runBuilt, until, type Finished } from './helpers/processes';

jest.setTimeout(60_000);

const USER_CREATE = 'cli/user-create';
const MIGRATE = 'cli/migrate';
const USER_RECORDS_DROP = 'cli/user-records-drop';

const userCreate = (databaseUrl: string, args: string[], input = '') => runBuilt(USER_CREATE, args, { DATABASE_URL: databaseUrl }, input);

/** One line on stderr, a non-zero exit, and nothing on stdout. */
function expectOneLineFailure(run: Finished): void {
  expect(run.code).not.toBe(0);
  expect(run.code).not.toBeNull();
  expect(run.stdout).toBe('');
  expect(run.stderr.trim().split('\n')).toHaveLength(1);
  expect(run.stderr).toMatch(/^user:create: /);
}

describe.each(testDatabases())('user:create on $name', ({ name, databaseUrl }) => {
  let db: Awaited<ReturnType<typeof scratchDatabase>>;
  let kit: TestApp;

  beforeAll(async () => {
    db = await scratchDatabase(name, databaseUrl);
    // The schema the CLI writes to is the one the app reads: no isolation of its own.
    await runBuilt(MIGRATE, [], { DATABASE_URL: db.url });
    kit = await createTestApp({ databaseUrl: db.url, isolateDatabase: false });
  });
  afterAll(async () => {
    await kit?.close();
    await db?.drop();
  });

  const login = (email: string, password: string) => kit.agent().post('/api/auth/login').send({ email, password });

  test('creates a user from a piped password, which then signs in exactly as typed', async () => {
    // Trailing spaces are part of the password; only the one newline is dropped.
    const password = 'first admin passphrase  ';
    const run = await userCreate(db.url, ['--email', '  First.Admin@Example.TEST ', '--role', 'admin', '--name', 'Ada'], `${password}\n`);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^user:create: created first\.admin@example\.test \(id [0-9a-f-]{36}, role admin\)\n$/);
    expect(run.stdout + run.stderr).not.toContain(password.trim());

    const res = await login('first.admin@example.test', password).expect(200);
    expect(res.body.user).toMatchObject({ email: 'first.admin@example.test', role: 'admin', name: 'Ada' });
    await login('first.admin@example.test', password.trim()).expect(401);
    await login('first.admin@example.test', `${password}\n`).expect(401);
  });

  test('sets the role of an existing user and leaves the password alone', async () => {
    const password = 'second user passphrase';
    expect((await userCreate(db.url, ['--email', 'second@example.test', '--role', 'user'], `${password}\n`)).code).toBe(0);
    expect((await login('second@example.test', password).expect(200)).body.user.role).toBe('user');

    const promote = await userCreate(db.url, ['--email', 'SECOND@example.test', '--role', 'admin'], 'an attempt at a new password\n');
    expect(promote.code).toBe(0);
    expect(promote.stdout).toMatch(/second@example\.test .*role admin.*exists already: role set to admin \(password unchanged\)/);
    expect((await login('second@example.test', password).expect(200)).body.user.role).toBe('admin');
    await login('second@example.test', 'an attempt at a new password').expect(401);

    const again = await userCreate(db.url, ['--email', 'second@example.test', '--role', 'admin']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/nothing changed/);
  });

  test("a role change takes the admins' guarded path: in the user's audit trail, and never demoting the last admin", async () => {
    // Two admins now (the first user and the one just promoted): the second steps down.
    const demote = await userCreate(db.url, ['--email', 'second@example.test', '--role', 'user']);
    expect(demote.code).toBe(0);
    const second = (await kit.services.users.findByEmail('second@example.test'))!;
    const changed = (await kit.services.events.recent(second.id)).filter((e) => e.type === 'role_changed');
    expect(changed.map((e) => e.details)).toEqual([
      { from: 'admin', to: 'user', by: 'cli' },
      { from: 'user', to: 'admin', by: 'cli' },
    ]);

    const last = await userCreate(db.url, ['--email', 'first.admin@example.test', '--role', 'user']);
    expectOneLineFailure(last);
    expect(last.stderr).toMatch(/is the last admin: make someone else an admin first/);
    expect((await kit.services.users.findByEmail('first.admin@example.test'))!.role).toBe('admin');
  });
});

// Refusals do not depend on the database kind: SQLite only.
describe('user:create refuses bad input', () => {
  let db: Awaited<ReturnType<typeof scratchDatabase>>;
  let kit: TestApp;
  beforeAll(async () => {
    db = await scratchDatabase('sqlite', '');
    await runBuilt(MIGRATE, [], { DATABASE_URL: db.url });
    kit = await createTestApp({ databaseUrl: db.url, isolateDatabase: false });
  });
  afterAll(async () => {
    await kit?.close();
    await db?.drop();
  });

  test.each([
    ['a common password', ['--email', 'bad1@example.test', '--role', 'user'], 'password1\n', /too common/],
    ['a password of 7 characters', ['--email', 'bad2@example.test', '--role', 'user'], 'abcdefg\n', /at least 8 characters/],
    ['a password over the byte cap', ['--email', 'bad3@example.test', '--role', 'user'], `${'é'.repeat(513)}\n`, /at most 1024 bytes/],
    ['an empty standard input', ['--email', 'bad4@example.test', '--role', 'user'], '', /no password on standard input/],
    ['a lone newline', ['--email', 'bad5@example.test', '--role', 'user'], '\n', /no password on standard input/],
    ['an invalid email', ['--email', 'not-an-email', '--role', 'user'], 'a fine long passphrase\n', /--email: Enter a valid email address/],
    ['an unknown role', ['--email', 'bad6@example.test', '--role', 'root'], 'a fine long passphrase\n', /--role must be admin or user \(got "root"\)/],
    ['no --email', ['--role', 'user'], 'a fine long passphrase\n', /--email is required \(usage: /],
    ['no --role', ['--email', 'bad7@example.test'], 'a fine long passphrase\n', /--role is required/],
    ['an unknown option', ['--email', 'bad8@example.test', '--role', 'user', '--admin'], 'a fine long passphrase\n', /Unknown option '--admin'/],
    ['a positional argument', ['bad9@example.test', '--role', 'user'], 'a fine long passphrase\n', /Unexpected argument/],
  ])('refuses %s with one line and a non-zero exit, creating nobody', async (_what, args, input, message) => {
    const run = await userCreate(db.url, args, input);
    expectOneLineFailure(run);
    expect(run.stderr).toMatch(message);
    if (input.trim()) expect(run.stderr).not.toContain(input.trim());
    const email = args[args.indexOf('--email') + 1];
    if (email) expect(await kit.services.users.findByEmail(email)).toBeUndefined();
  });
});

describe.each(testDatabases())("the users' Redis records and the command line, on $name", ({ name, databaseUrl }) => {
  let db: Awaited<ReturnType<typeof scratchDatabase>>;
  let kit: TestApp;
  beforeAll(async () => {
    db = await scratchDatabase(name, databaseUrl);
    kit = await createTestApp({ databaseUrl: db.url, isolateDatabase: false });
  });
  afterAll(async () => {
    await kit?.close();
    await db?.drop();
  });

  /** The tools as the operator runs them against this app: same database, same Redis prefix. */
  const tool = (entry: string, args: string[], env: Record<string, string> = {}, input = '') =>
    runBuilt(entry, args, { DATABASE_URL: db.url, REDIS_PREFIX: kit.prefix, ...env }, input);
  const roleSeen = async (agent: Awaited<ReturnType<TestApp['signedInAgent']>>['agent']) => (await agent.get('/api/me').expect(200)).body.user.role as string;

  test("user:create's role change shows on the user's very next request", async () => {
    const who = await kit.signedInAgent();
    expect(await roleSeen(who.agent)).toBe('user'); // the user's record is in Redis now
    const run = await tool(USER_CREATE, ['--email', who.email, '--role', 'admin']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(await roleSeen(who.agent)).toBe('admin');
  });

  test('user:create refuses a role change it cannot make through the record (Redis away), changing nothing', async () => {
    const who = await kit.signedInAgent();
    expect(await roleSeen(who.agent)).toBe('user');
    const run = await tool(USER_CREATE, ['--email', who.email, '--role', 'admin'], { REDIS_URL: `redis://127.0.0.1:${await deadPort()}` });
    expectOneLineFailure(run);
    expect(run.code).toBe(69);
    expect((await kit.services.users.findById(who.user.id))?.role).toBe('user');
    expect(await roleSeen(who.agent)).toBe('user');
  });

  test('user-records:drop makes an edit made by hand in SQL show (one user, then all)', async () => {
    const a = await kit.signedInAgent({ name: 'Before' });
    const b = await kit.signedInAgent({ name: 'Before' });
    for (const who of [a, b]) expect((await who.agent.get('/api/me').expect(200)).body.user.name).toBe('Before');
    await kit.infra.db.updateTable('users').set({ name: 'By Hand' }).where('id', 'in', [a.user.id, b.user.id]).execute();
    // The documented gap: the records still hold the old name.
    expect((await a.agent.get('/api/me').expect(200)).body.user.name).toBe('Before');

    const one = await tool(USER_RECORDS_DROP, ['--user', a.user.id]);
    expect(one.stderr).toBe('');
    expect(one.stdout).toBe(`user-records:drop: dropped the record of user ${a.user.id} (read from the database on their next request)\n`);
    expect((await a.agent.get('/api/me').expect(200)).body.user.name).toBe('By Hand');
    expect((await b.agent.get('/api/me').expect(200)).body.user.name).toBe('Before');

    const all = await tool(USER_RECORDS_DROP, []);
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/^user-records:drop: dropped [1-9]\d* user records? \(each refilled from the database on its user's next request\)\n$/);
    expect((await b.agent.get('/api/me').expect(200)).body.user.name).toBe('By Hand');
  });

  test('user-records:drop: bad arguments and an unreachable Redis are one line and a non-zero exit', async () => {
    const bad = await tool(USER_RECORDS_DROP, ['--everything']);
    expect(bad.code).toBe(64);
    expect(bad.stderr).toMatch(/^user-records:drop: .*usage: npm run user-records:drop/);
    const away = await tool(USER_RECORDS_DROP, [], { REDIS_URL: `redis://127.0.0.1:${await deadPort()}` });
    expect(away.code).toBe(69);
    expect(away.stdout).toBe('');
    expect(away.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('user:create without its database', () => {
  test('a PostgreSQL that does not answer: one line saying how to start it, within seconds', async () => {
    const port = await deadPort();
    const run = await userCreate(`postgres://postgres@127.0.0.1:${port}/nowhere`, ['--email', 'x@example.test', '--role', 'admin'], 'a fine long passphrase\n');
    expectOneLineFailure(run);
    expect(run.stderr).toContain('docker compose up local-postgres');
    expect(run.ms).toBeLessThan(15_000);
  });

  test('a bad DATABASE_URL is named, without echoing its password', async () => {
    const run = await userCreate('mysql://root:hunter2hunter2@db/x', ['--email', 'x@example.test', '--role', 'admin'], 'a fine long passphrase\n');
    expectOneLineFailure(run);
    expect(run.stderr).toMatch(/invalid configuration: DATABASE_URL must be/);
    expect(run.stderr).not.toContain('hunter2');
  });
});

describe('user:create on a terminal', () => {
  let db: Awaited<ReturnType<typeof scratchDatabase>>;
  beforeAll(async () => {
    db = await scratchDatabase('sqlite', '');
  });
  afterAll(() => db.drop());

  /** Runs the tool under `script`, which gives it a pseudo-terminal: what the test
   *  writes is "typed" (each line only once its prompt is showing, as a person would),
   *  and stdout is everything the terminal showed. */
  async function typeAtPrompts(email: string, typed: string[]): Promise<Finished> {
    const command = `${process.execPath} ${built(USER_CREATE)} --email ${email} --role admin`;
    const child = spawn('script', ['-qefc', command, '/dev/null'], { cwd: ROOT, env: childEnv({ DATABASE_URL: db.url }) });
    const done = finished(child);
    let shown = '';
    child.stdout.on('data', (d: Buffer) => (shown += d.toString()));
    const prompts = ['Password: ', 'Repeat the password: '];
    for (const [i, line] of typed.entries()) {
      await until(() => shown.includes(prompts[i]!), `the prompt "${prompts[i]}"`);
      child.stdin.write(`${line}\r`);
    }
    return done;
  }

  test('prompts twice without echoing, then creates the user', async () => {
    const password = 'typed at the terminal 42';
    const run = await typeAtPrompts('tty@example.test', [password, password]);
    expect(run.stdout).toContain('Password: ');
    expect(run.stdout).toContain('Repeat the password: ');
    expect(run.stdout).toMatch(/user:create: created tty@example\.test/);
    expect(run.stdout).not.toContain('typed at the terminal');
    expect(run.code).toBe(0);
  });

  test('two different answers: refused, nothing echoed, nobody created', async () => {
    const run = await typeAtPrompts('tty2@example.test', ['typed at the terminal 42', 'typed at the terminal 43']);
    expect(run.stdout).toMatch(/user:create: the two passwords do not match/);
    expect(run.stdout).not.toContain('typed at the terminal');
    expect(run.code).not.toBe(0);
    const check = await runBuilt(USER_CREATE, ['--email', 'tty2@example.test', '--role', 'admin'], { DATABASE_URL: db.url }, '');
    expect(check.stderr).toMatch(/no password on standard input/); // it would have said "exists already"
  });
});

test('db:migrate brings a new database up to date, then says it is', async () => {
  const db = await scratchDatabase('sqlite', '');
  try {
    const first = await runBuilt(MIGRATE, [], { DATABASE_URL: db.url });
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toBe(`db:migrate: applied ${Object.keys(migrations).join(', ')} to ${db.url}\n`);
    const second = await runBuilt(MIGRATE, [], { DATABASE_URL: db.url, NODE_ENV: 'production' });
    expect(second).toMatchObject({ code: 0, stderr: '' });
    expect(second.stdout).toMatch(/is up to date\n$/);
  } finally {
    await db.drop();
  }
});
