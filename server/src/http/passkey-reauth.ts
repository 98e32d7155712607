import { authenticationResponseSchema } from '@cloakroom/shared';
import type { PasskeyAssertion } from '../passkeys/assertion';
import { clientContext } from './client-context';
import type { PasskeyReauth } from './routes/two-factor';

/** POST /api/auth/reauth with {passkey}: the assertion must answer the re-authentication
 *  challenge this very session asked for (POST /api/auth/passkeys/reauth/options), with one
 *  of the signed-in user's own passkeys. A body that is not an assertion proves nothing. */
export function passkeyReauth(assertion: PasskeyAssertion): PasskeyReauth {
  return async (user, raw, req) => {
    const parsed = authenticationResponseSchema.safeParse(raw);
    const handle = req.auth?.handle;
    if (!parsed.success || !handle) return false;
    const result = await assertion.verify('reauth', handle, parsed.data, clientContext(req), user);
    return result.ok;
  };
}
