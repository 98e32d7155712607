import { generate } from 'otplib';
import type TestAgent from 'supertest/lib/agent';
import { TOTP_PERIOD_SECONDS } from '@cloakroom/shared';
import type { TestApp } from '@cloakroom/server/testing';
import { routingTag } from '../../src/redis/keys';

/** The code an authenticator app shows `offsetSteps` steps from now. */
export async function totpCode(secret: string, offsetSteps = 0, nowMs = Date.now()): Promise<string> {
  return generate({ secret, epoch: Math.floor(nowMs / 1000) + offsetSteps * TOTP_PERIOD_SECONDS });
}

/** Waits until the current 30-second step has at least `marginMs` left, so a code
 *  computed now is still of the same step when the server checks it. */
export async function awayFromStepEdge(marginMs = 4000): Promise<void> {
  const left = TOTP_PERIOD_SECONDS * 1000 - (Date.now() % (TOTP_PERIOD_SECONDS * 1000));
  if (left < marginMs) await new Promise((r) => setTimeout(r, left + 50));
}

/** Sets up and confirms an authenticator for the agent's user; returns the secret and
 *  the recovery codes. The confirming code is the previous step's, so codes of the
 *  current step and the next (offsets 0 and 1) are still unused. */
export async function enrolTotp(agent: TestAgent): Promise<{ secret: string; recoveryCodes: string[] }> {
  const setup = await agent.post('/api/auth/2fa/totp/setup').expect(200);
  const secret = setup.body.secret as string;
  await awayFromStepEdge();
  const confirm = await agent
    .post('/api/auth/2fa/totp/confirm')
    // The previous step's code (inside the ±1 window): this step and the next stay unused for the test.
    .send({ code: await totpCode(secret, -1) })
    .expect(200);
  return { secret, recoveryCodes: confirm.body.recoveryCodes as string[] };
}

/** Makes the session's last authentication look `ageMs` old, as if time had passed
 *  (the record is edited in Redis; nothing else of it changes). */
export async function ageAuthentication(kit: TestApp, userId: string, handle: string, ageMs: number): Promise<void> {
  const key = kit.services.keys.session(routingTag(userId), handle);
  const record = JSON.parse((await kit.infra.redis.get(key))!) as { meta: { authTime?: number } };
  record.meta.authTime = Date.now() - ageMs;
  await kit.infra.redis.set(key, JSON.stringify(record), { KEEPTTL: true });
}
