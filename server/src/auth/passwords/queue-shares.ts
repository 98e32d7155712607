/** Who a password hash is done for: the account it checks and the address that asked. */
export interface HashRequester {
  account?: string | undefined;
  address: string;
}

export interface QueueShareLimits {
  perAccount: number;
  perAddress: number;
}

/**
 * Each account's and each address's share of this process's hashing queue. argon2 runs
 * a few hashes at a time and queues the rest (hasher.ts); without shares, one address
 * signing in to its own accounts over and over filled the whole queue, and every other
 * sign-in waited or got 503. With them, a requester over its share is refused at once
 * (the caller answers 429, Retry-After 1), before any hash and before any budget is
 * spent, so a flood from a few addresses holds a few places and everyone else keeps
 * theirs. Per process, like the queue it shares out.
 */
export class QueueShares {
  private readonly held = new Map<string, number>();

  constructor(private readonly limits: QueueShareLimits) {}

  /** A place for this requester, or null when its account or its address already holds
   *  its share. Call the returned function once the hashing is over. */
  enter(who: HashRequester): (() => void) | null {
    const keys: Array<[string, number]> = [[`address:${who.address}`, this.limits.perAddress]];
    if (who.account !== undefined) keys.push([`account:${who.account}`, this.limits.perAccount]);
    if (keys.some(([key, limit]) => (this.held.get(key) ?? 0) >= limit)) return null;
    for (const [key] of keys) this.held.set(key, (this.held.get(key) ?? 0) + 1);
    let left = false;
    return () => {
      if (left) return;
      left = true;
      for (const [key] of keys) {
        const n = this.held.get(key)! - 1;
        if (n > 0) this.held.set(key, n);
        else this.held.delete(key);
      }
    };
  }
}
