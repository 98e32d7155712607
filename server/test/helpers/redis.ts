import type { TestApp } from '@cloakroom/server/testing';

/** Every key under the app's prefix, with its type and its contents as text (strings
 *  as they are, sets and hashes flattened), for checks on what Redis holds. */
export async function dumpPrefix(kit: TestApp): Promise<Array<{ key: string; type: string; content: string }>> {
  const redis = kit.infra.redis;
  const out: Array<{ key: string; type: string; content: string }> = [];
  for await (const keys of redis.scanIterator({ MATCH: `${kit.prefix}*`, COUNT: 500 })) {
    for (const key of keys) {
      const type = await redis.type(key);
      let content: string;
      if (type === 'string') content = (await redis.get(key)) ?? '';
      else if (type === 'zset') content = (await redis.zRangeWithScores(key, 0, -1)).map((e) => `${e.value} ${e.score}`).join('\n');
      else if (type === 'hash') content = JSON.stringify(await redis.hGetAll(key));
      else if (type === 'set') content = (await redis.sMembers(key)).join('\n');
      else if (type === 'list') content = (await redis.lRange(key, 0, -1)).join('\n');
      else content = `<${type}>`;
      out.push({ key, type, content });
    }
  }
  return out;
}
