import type { UserRow } from '../db/users';

/** The columns of a user that the session check and GET /api/me need: existence, role,
 *  the credential a session is bound to, and the public fields. Exactly these are kept
 *  in the user's Redis record (auth/user-records.ts); never the password hash or any
 *  other secret. A later column the check needs (a verified email, an enrolled second
 *  factor) is added here, and its writers go through `userRecords.change`. */
export const USER_STATE_FIELDS = [
  'id',
  'email',
  'name',
  'role',
  'createdAt',
  'passwordChangedAt',
  'credentialVersion',
  'emailVerifiedAt',
] as const satisfies ReadonlyArray<keyof UserRow>;

export type UserState = Pick<UserRow, (typeof USER_STATE_FIELDS)[number]>;

/** The auth state of a row (no other column is copied). */
export function userStateOf(row: UserRow): UserState {
  return Object.fromEntries(USER_STATE_FIELDS.map((field) => [field, row[field]])) as UserState;
}

/** The record's format: the field list itself, so a record written by a version of the
 *  code with other fields is treated as missing and refilled, never half-read. */
export const USER_STATE_FORMAT = USER_STATE_FIELDS.join(',');

/** A stored record parsed back, or null when it is not one of this format. */
export function parseUserState(raw: string): UserState | null {
  try {
    const value = JSON.parse(raw) as { format?: unknown; state?: Record<string, unknown> };
    if (value.format !== USER_STATE_FORMAT || typeof value.state !== 'object' || value.state === null) return null;
    const state = value.state;
    if (USER_STATE_FIELDS.some((field) => !(field in state))) return null;
    return state as UserState;
  } catch {
    return null;
  }
}

export function serializeUserState(state: UserState): string {
  return JSON.stringify({ format: USER_STATE_FORMAT, state });
}
