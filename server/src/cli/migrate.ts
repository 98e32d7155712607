/** `npm run db:migrate`: brings the database at DATABASE_URL up to date (the server
 *  also does this at every start). Needs only the database. */
import { loadDatabaseConfig } from '../config/env';
import { connectDatabase } from '../infrastructure';
import { redactUrl } from '../startup';
import { runCli } from './run';

runCli('db:migrate', async () => {
  const config = loadDatabaseConfig();
  const { db, applied } = await connectDatabase(config.databaseUrl, { pool: config.databasePool });
  await db.destroy();
  const where = redactUrl(config.databaseUrl);
  return applied.length ? `applied ${applied.join(', ')} to ${where}` : `${where} is up to date`;
});
