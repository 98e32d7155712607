import net, { type AddressInfo } from 'node:net';
import { sleep, type TestApp } from '@cloakroom/server/testing';

/** Every string value under the app's Redis prefix (strings, hashes, sets and sorted-set
 *  members), to look for secrets stored in the clear. */
export async function redisValues(kit: TestApp): Promise<string[]> {
  const redis = kit.infra.redis;
  const values: string[] = [];
  for await (const keys of redis.scanIterator({ MATCH: `${kit.prefix}*`, COUNT: 500 })) {
    for (const key of keys) {
      values.push(key);
      const type = await redis.type(key);
      if (type === 'string') values.push((await redis.get(key)) ?? '');
      else if (type === 'hash') values.push(...Object.entries(await redis.hGetAll(key)).flat());
      else if (type === 'zset') values.push(...(await redis.zRange(key, 0, -1)));
      else if (type === 'set') values.push(...(await redis.sMembers(key)));
      else if (type === 'list') values.push(...(await redis.lRange(key, 0, -1)));
    }
  }
  return values;
}

/** Every text value of every row of the app's database tables that can hold a token. */
export async function databaseText(kit: TestApp): Promise<string> {
  const rows = [
    ...(await kit.infra.db.selectFrom('mailTokens').selectAll().execute()),
    ...(await kit.infra.db.selectFrom('securityEvents').selectAll().execute()),
    ...(await kit.infra.db.selectFrom('users').selectAll().execute()),
  ];
  return JSON.stringify(rows);
}

/** An SMTP server that accepts connections and never says a word (a hung mail relay). */
export async function hangingSmtpServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Polls until `check` holds (for work that happens after an answer). */
export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(25);
  }
}
