/** The WebAuthn user handle of an account: its user ID's UTF-8 bytes (a random UUID, no
 *  personal data, at most 64 bytes as WebAuthn requires). A discoverable credential hands
 *  it back on every sign-in, and it must name the passkey's owner. */
export function webauthnUserId(userId: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(userId);
}

export function userIdOfHandle(userHandle: string): string {
  return Buffer.from(userHandle, 'base64url').toString('utf8');
}
