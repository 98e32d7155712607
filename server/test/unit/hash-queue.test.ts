/** The hashing queue shared fairly (issue 8.3): each account and each address may hold
 *  only its share of it, and waiting hashes are taken in turn by address, so one
 *  requester with many hashes waiting delays another by one hash per turn, not by all
 *  of them. */
import { Limiter } from '../../src/auth/passwords/limiter';
import { QueueShares } from '../../src/auth/passwords/queue-shares';

/** A task that records when it ran and finishes when told. */
function gated(log: string[], name: string) {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return { task: () => (log.push(name), done), finish };
}

test('waiting hashes are served in turn by key: one flood does not push another requester to the back', async () => {
  const limiter = new Limiter(1, 100);
  const log: string[] = [];
  const first = gated(log, 'flood-0');
  const running = limiter.run(first.task, 'flood');
  const rest = Array.from({ length: 5 }, (_, i) => limiter.run(() => (log.push(`flood-${i + 1}`), Promise.resolve()), 'flood'));
  const other = limiter.run(() => (log.push('other'), Promise.resolve()), 'other');
  first.finish();
  await Promise.all([running, ...rest, other]);
  expect(log).toEqual(['flood-0', 'flood-1', 'other', 'flood-2', 'flood-3', 'flood-4', 'flood-5']);
});

test('a full queue refuses at once', async () => {
  const limiter = new Limiter(1, 2);
  const first = gated([], 'a');
  const running = limiter.run(first.task, 'a');
  const waiting = [limiter.run(() => Promise.resolve(), 'a'), limiter.run(() => Promise.resolve(), 'b')];
  await expect(limiter.run(() => Promise.resolve(), 'c')).rejects.toThrow(/too many password checks/);
  first.finish();
  await Promise.all([running, ...waiting]);
});

test('an account or an address over its share is refused; leaving gives the place back, once', () => {
  const shares = new QueueShares({ perAccount: 1, perAddress: 2 });
  const a = shares.enter({ account: 'acct', address: 'ip1' })!;
  expect(shares.enter({ account: 'acct', address: 'ip2' })).toBeNull(); // the account's share
  const b = shares.enter({ account: 'other', address: 'ip1' })!;
  expect(shares.enter({ account: 'third', address: 'ip1' })).toBeNull(); // the address's share
  expect(shares.enter({ address: 'ip1' })).toBeNull(); // a sign-up from that address too
  a();
  a(); // leaving twice gives back one place
  expect(shares.enter({ account: 'acct', address: 'ip3' })).not.toBeNull();
  expect(shares.enter({ account: 'fourth', address: 'ip1' })).not.toBeNull();
  expect(shares.enter({ account: 'fifth', address: 'ip1' })).toBeNull();
  b();
});
