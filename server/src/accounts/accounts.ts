import type { HashRequester, QueueShares } from '../auth/passwords/queue-shares';
import { hashingFor, type PasswordHasher } from '../auth/passwords/hasher';
import { passwordProblems, type PasswordProblem } from '../auth/passwords/policy';
import type { UserRecords } from '../auth/user-records';
import type { Role, UserRow, UsersRepository } from '../db/users';

export type RegisterResult =
  | { ok: true; user: UserRow }
  | { ok: false; reason: 'email_taken' }
  | { ok: false; reason: 'weak_password'; problems: PasswordProblem[] }
  | { ok: false; reason: 'throttled'; retryAfterMs: number };

export type CredentialCheck = { user: UserRow; knownUserId?: undefined } | { user: null; knownUserId?: string };

/** Waiting for a place in the hashing queue is a matter of a second or so. */
const QUEUE_RETRY_MS = 1000;

/** Accounts: creating users and checking their credentials. Knows nothing of HTTP or
 *  sessions; inputs are already validated and normalised by the shared schemas. */
export function accounts(users: UsersRepository, records: UserRecords, hasher: PasswordHasher, shares?: QueueShares) {
  return {
    /** Creates the account, then runs `begin` (the caller's sign-in). A sign-up is all or
     *  nothing: if `begin` fails (the session store is away), the new row is removed
     *  again, so the client's retry is not met by email_taken for an account it never got.
     *  `requester` (the HTTP caller) hashes within its share of the queue. */
    async register(
      input: { email: string; password: string; name?: string | undefined; role?: Role },
      begin: (user: UserRow) => Promise<void> = () => Promise.resolve(),
      requester?: HashRequester,
    ): Promise<RegisterResult> {
      const problems = passwordProblems(input.password, { email: input.email });
      if (problems.length) return { ok: false, reason: 'weak_password', problems };
      const leave = requester && shares ? shares.enter(requester) : () => undefined;
      if (!leave) return { ok: false, reason: 'throttled', retryAfterMs: QUEUE_RETRY_MS };
      let passwordHash: string;
      try {
        // Hash before inserting, whether or not the email exists, and let the unique index
        // decide: a taken email costs the same time, and racing sign-ups cannot both win.
        passwordHash = requester ? await hashingFor.run(requester.address, () => hasher.hash(input.password)) : await hasher.hash(input.password);
      } finally {
        leave();
      }
      const created = await users.create({ email: input.email, name: input.name ?? null, passwordHash, role: input.role ?? 'user' });
      if (created === 'email_taken') return { ok: false, reason: 'email_taken' };
      try {
        await begin(created);
      } catch (err) {
        // A deletion, like every change of the user's auth state, goes through the record.
        // Redis being away is the usual reason `begin` failed, and the row must go anyway:
        // no session of the new account was ever checked, so no record of it can exist.
        await records.change(created.id, () => users.remove(created.id)).catch(() => users.remove(created.id));
        throw err;
      }
      return { ok: true, user: created };
    },

    /** The user when email and password match, else `user: null` (with the account a
     *  wrong password was tried on, for the audit trail only: the caller must never let
     *  `knownUserId` reach the client). Exactly one hash verification either way (a
     *  dummy one for an unknown email), so neither the answer nor its timing tells
     *  whether the account exists. The row returned is the one read before verifying:
     *  its credential version is what the new session is bound to. A hash made under
     *  weaker parameters or in the old format is rewritten once the password is known
     *  to be right, unless the credential changed meanwhile. */
    async checkCredentials(email: string, password: string): Promise<CredentialCheck> {
      const user = await users.findByEmail(email);
      if (!user) return hasher.verifyDummy(password).then(() => ({ user: null }));
      if (!(await hasher.verify(user.passwordHash, password))) return { user: null, knownUserId: user.id };
      if (hasher.needsRehash(user.passwordHash)) await users.replaceHash(user.id, await hasher.hash(password), user.credentialVersion);
      return { user };
    },
  };
}

export type Accounts = ReturnType<typeof accounts>;
