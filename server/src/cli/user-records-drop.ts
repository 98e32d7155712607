/** `npm run user-records:drop [-- --user <id>]`: drops the users' auth records from Redis
 *  (all of them, or one user's). The API refills each from SQL on that user's next
 *  request. For after an edit made by hand in SQL, outside the app (the one change the
 *  records cannot see by themselves: docs/architecture.md, "The user record"). Needs the
 *  API's Redis (REDIS_URL, REDIS_PREFIX); the database is not touched. */
import { parseArgs } from 'node:util';
import { dropUserRecords } from '../auth/user-records';
import { connectCliRedis } from './redis';
import { CliError, runCli } from './run';

const USAGE = 'usage: npm run user-records:drop [-- --user <id>]';

function parseArguments(argv: string[]): { user: string | undefined } {
  try {
    const { values } = parseArgs({ args: argv, options: { user: { type: 'string' } }, strict: true, allowPositionals: false });
    if (values.user === '') throw new Error('--user needs a user id');
    return { user: values.user };
  } catch (err) {
    throw new CliError(`${(err as Error).message.split('\n')[0]} (${USAGE})`);
  }
}

runCli('user-records:drop', async () => {
  const args = parseArguments(process.argv.slice(2));
  const { redis, keys } = await connectCliRedis();
  try {
    const dropped = await dropUserRecords(redis, keys, args.user);
    if (args.user !== undefined)
      return `${dropped ? 'dropped the record' : 'no record held'} of user ${args.user} (read from the database on their next request)`;
    return `dropped ${dropped} user record${dropped === 1 ? '' : 's'} (each refilled from the database on its user's next request)`;
  } finally {
    await redis.close();
  }
});
