import { authenticationResponseSchema } from '@cloakroom/shared';
import type { Request } from 'express';
import type { UserState } from '../auth/user-state';
import type { PasskeyAssertion } from '../passkeys/assertion';
import { clientContext } from './client-context';

/** A passkey proving it is `user`, answering the challenge that `binding` (a session's or
 *  a pending sign-in's public handle) asked for. True when it is a valid, fresh assertion
 *  of one of that user's passkeys. */
export type PasskeyProof = (user: Pick<UserState, 'id'>, assertion: Record<string, unknown>, req: Request, binding: string) => Promise<boolean>;

/** The two places a known user proves a passkey: POST /api/auth/reauth with {passkey} (the
 *  challenge of POST /api/auth/passkeys/reauth/options) and POST /api/auth/2fa/verify with
 *  {passkey} (that of POST /api/auth/passkeys/second-factor/options). Each checks against
 *  its own ceremony's challenge only. A body that is not an assertion proves nothing. */
export function passkeyProofs(assertion: PasskeyAssertion): { reauth: PasskeyProof; secondStep: PasskeyProof } {
  const proof =
    (ceremony: 'reauth' | 'second_factor'): PasskeyProof =>
    async (user, raw, req, binding) => {
      const parsed = authenticationResponseSchema.safeParse(raw);
      if (!parsed.success) return false;
      return (await assertion.verify(ceremony, binding, parsed.data, clientContext(req), user)).ok;
    };
  return { reauth: proof('reauth'), secondStep: proof('second_factor') };
}
