import type { RequestHandler } from 'express';
import type { Passkey, PasskeyResponse, PasskeysResponse, UserResponse } from '@cloakroom/shared';
import { passkeyIdSchema } from '@cloakroom/shared';
import { toPublicUser } from '../../accounts/public-user';
import type { PasskeyRow } from '../../db/passkeys';
import type { UsersRepository } from '../../db/users';
import type { SecurityEvents } from '../../events/security-events';
import type { PasskeyAssertion } from '../../passkeys/assertion';
import type { PasskeyManagement } from '../../passkeys/management';
import type { PasskeyRegistration, RegistrationResult } from '../../passkeys/registration';
import { clientContext, signInClient } from '../client-context';
import type { DeviceCookie } from '../device-cookie';
import { ApiError, notFound } from '../errors';
import type { SessionHttp } from '../middleware/session';
import type { PasskeyChallengeCookie } from '../passkey-cookie';
import { routeHandlers } from './mount';

export interface PasskeyRouteDeps {
  registration: PasskeyRegistration;
  assertion: PasskeyAssertion;
  management: PasskeyManagement;
  users: UsersRepository;
  events: SecurityEvents;
  session: SessionHttp;
  device: DeviceCookie;
  challengeCookie: PasskeyChallengeCookie;
  /** Per-address limit in front of the passkey sign-in routes. */
  limits: { passkeyLogin: RequestHandler[] };
}

const iso = (ms: number) => new Date(ms).toISOString();

export const toPasskey = (row: PasskeyRow): Passkey => ({
  id: row.id,
  name: row.name,
  createdAt: iso(row.createdAt),
  lastUsedAt: row.lastUsedAt === null ? null : iso(row.lastUsedAt),
});

/** One answer for every refused sign-in: it says nothing about which check failed (the
 *  security events of the passkey's owner do, when there is one). */
export const invalidPasskey = () => new ApiError('invalid_passkey', 'That passkey could not be verified; try again');

const registrationFailures: Record<Exclude<RegistrationResult, { ok: true }>['reason'], string> = {
  no_challenge: 'No passkey registration was started in this session, or it expired; start again',
  unverified: 'The passkey could not be verified (it must be created on this site, with user verification)',
  already_registered: 'This passkey is registered already',
  too_many: 'This account has as many passkeys as it may have; remove one first',
};

/** A path id that cannot be a passkey ID names nothing (404, as someone else's would). */
const passkeyIdOf = (raw: string): string | null => (passkeyIdSchema.safeParse(raw).success ? raw : null);

/** The passkey routes (shared/src/api/routes/passkeys.ts): thin maps from the body to the
 *  domain (server/src/passkeys) and back. Signed-in ceremonies are bound to the session by
 *  its public handle; the sign-in ceremony by the passkey cookie (http/passkey-cookie.ts). */
export function passkeyHandlers(deps: PasskeyRouteDeps) {
  const { registration, assertion, management, users, events, session, device, challengeCookie, limits } = deps;

  return routeHandlers({
    passkeyRegistrationOptions: {
      async handle({ auth }, _req, res) {
        res.json(await registration.options(auth.user, auth.handle));
      },
    },

    registerPasskey: {
      async handle({ auth, body }, req, res) {
        const result = await registration.complete(auth.user, auth.handle, body.response, body.name, clientContext(req));
        if (!result.ok) throw new ApiError('passkey_registration_failed', registrationFailures[result.reason]);
        const answer: PasskeyResponse = { passkey: toPasskey(result.passkey) };
        res.status(201).json(answer);
      },
    },

    listPasskeys: {
      async handle({ auth }, _req, res) {
        const answer: PasskeysResponse = { passkeys: (await management.list(auth.user.id)).map(toPasskey) };
        res.json(answer);
      },
    },

    renamePasskey: {
      async handle({ auth, body, params }, _req, res) {
        const id = passkeyIdOf(params.id);
        const row = id ? await management.rename(auth.user.id, id, body.name) : undefined;
        if (!row) throw notFound('Passkey');
        const answer: PasskeyResponse = { passkey: toPasskey(row) };
        res.json(answer);
      },
    },

    removePasskey: {
      async handle({ auth, params }, req, res) {
        const id = passkeyIdOf(params.id);
        if (!id || !(await management.remove(auth.user.id, id, clientContext(req)))) throw notFound('Passkey');
        res.status(204).end();
      },
    },

    passkeyReauthOptions: {
      async handle({ auth }, _req, res) {
        if (!(await management.has(auth.user.id))) throw notFound('A passkey of yours');
        res.json(await assertion.options('reauth', auth.handle, auth.user));
      },
    },

    passkeySecondFactorOptions: {
      async handle({ pending }, _req, res) {
        const { userId } = pending.record;
        if (!(await management.has(userId))) throw notFound('A passkey of this account');
        res.json(await assertion.options('second_factor', pending.handle, { id: userId }));
      },
    },

    passkeyLoginOptions: {
      use: limits.passkeyLogin,
      async handle(_input, _req, res) {
        const binding = challengeCookie.issue(res);
        res.json(await assertion.options('login', binding));
      },
    },

    passkeyLogin: {
      use: limits.passkeyLogin,
      async handle({ body }, req, res) {
        const client = signInClient(req);
        const binding = challengeCookie.take(req, res);
        if (!binding) throw invalidPasskey();
        const result = await assertion.verify('login', binding, body.response, client);
        if (!result.ok) throw invalidPasskey();
        const user = await users.findById(result.userId);
        if (!user) throw invalidPasskey();
        device.rememberOnSuccess(req, res, user.email);
        // Possession of the key and the user verification that unlocked it: two factors at once.
        await session.start(req, res, user, client, ['passkey']);
        await events.record(user.id, 'login_succeeded', client, { method: 'passkey', passkey: result.passkey.id });
        const answer: UserResponse = { user: toPublicUser(user) };
        res.json(answer);
      },
    },
  });
}
