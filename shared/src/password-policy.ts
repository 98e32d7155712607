/** ASVS 5.0 6.2: at least 8 characters, at least 64 allowed, no composition rules.
 *  The maximum is counted in UTF-8 bytes, checked before any hashing, so a huge
 *  password costs the server nothing (64 emoji are 256 bytes and must still fit). */
export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_BYTES = 1024;

/** Length in user-perceived characters (code points), not UTF-16 units. */
export function passwordLength(password: string): number {
  return [...password].length;
}

export function passwordBytes(password: string): number {
  return new TextEncoder().encode(password).length;
}
