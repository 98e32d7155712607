/**
 * A software passkey authenticator for tests: the client side of WebAuthn, done the way a
 * platform authenticator and browser do it together (CTAP2 "none" attestation, ES256 keys
 * from node:crypto, CBOR by hand), so that tests can answer the server's challenges in
 * Node, including with answers no honest browser would send (another origin, another RP ID,
 * a counter that went backwards, no user verification). It is the test's client, not a
 * stand-in for anything of the server: the server verifies with @simplewebauthn/server.
 */
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import type { AuthenticationResponse, CreationOptions, RegistrationResponse, RequestOptions } from '@cloakroom/shared';

// ---------- minimal CBOR (RFC 8949): unsigned/negative integers, byte and text strings, maps ----------

type Cbor = number | Buffer | string | Map<Cbor, Cbor>;

function head(major: number, n: number): Buffer {
  if (n < 24) return Buffer.from([(major << 5) | n]);
  if (n < 0x100) return Buffer.from([(major << 5) | 24, n]);
  if (n < 0x10000) return Buffer.from([(major << 5) | 25, n >> 8, n & 0xff]);
  const b = Buffer.alloc(5);
  b[0] = (major << 5) | 26;
  b.writeUInt32BE(n, 1);
  return b;
}

function cbor(value: Cbor): Buffer {
  if (typeof value === 'number') return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (Buffer.isBuffer(value)) return Buffer.concat([head(2, value.length), value]);
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([head(3, bytes.length), bytes]);
  }
  const parts = [head(5, value.size)];
  for (const [k, v] of value) parts.push(cbor(k), cbor(v));
  return Buffer.concat(parts);
}

// ---------- the authenticator ----------

const FLAG = { UP: 0x01, UV: 0x04, BE: 0x08, BS: 0x10, AT: 0x40 } as const;
const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest();
const b64url = (data: Buffer) => data.toString('base64url');

export interface Tampering {
  /** The origin the "browser" puts in clientDataJSON (default: the authenticator's). */
  origin?: string;
  /** The RP ID whose hash goes into authenticatorData (default: the options' RP ID). */
  rpId?: string;
  /** false: the user was present but not verified (no PIN, no biometric). */
  userVerified?: boolean;
  /** Report this signature counter instead of the next one. */
  counter?: number;
  /** Backup eligibility and state flags (default: single-device, not backed up). */
  backupEligible?: boolean;
  backedUp?: boolean;
  /** Answer a challenge other than the one asked. */
  challenge?: string;
  /** Registration: make the new credential under this ID (an authenticator that
   *  ignores excludeCredentials, or one that lies). */
  credentialId?: Buffer;
}

export interface SoftCredential {
  id: Buffer;
  privateKey: KeyObject;
  rpId: string;
  userHandle: Buffer;
  counter: number;
  backupEligible: boolean;
}

export class SoftAuthenticator {
  readonly credentials: SoftCredential[] = [];

  /** `countsSignatures`: false for authenticators that always report 0 (as synced passkeys do). */
  constructor(
    readonly origin: string,
    readonly options: { countsSignatures?: boolean; backupEligible?: boolean } = {},
  ) {}

  private flags(t: Tampering, backupEligible: boolean, extra = 0): number {
    let flags = FLAG.UP | extra;
    if (t.userVerified !== false) flags |= FLAG.UV;
    if (t.backupEligible ?? backupEligible) flags |= FLAG.BE;
    if (t.backedUp ?? backupEligible) flags |= FLAG.BS;
    return flags;
  }

  private clientData(type: 'webauthn.create' | 'webauthn.get', challenge: string, t: Tampering): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge: t.challenge ?? challenge, origin: t.origin ?? this.origin, crossOrigin: false }));
  }

  /** navigator.credentials.create() with the server's creation options. */
  create(options: CreationOptions, t: Tampering = {}): RegistrationResponse {
    const rpId = options.rp.id ?? new URL(this.origin).hostname;
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    const cose = cbor(
      new Map<Cbor, Cbor>([
        [1, 2], // kty: EC2
        [3, -7], // alg: ES256
        [-1, 1], // crv: P-256
        [-2, Buffer.from(jwk.x!, 'base64url')],
        [-3, Buffer.from(jwk.y!, 'base64url')],
      ]),
    );
    const id = t.credentialId ?? randomBytes(16);
    const backupEligible = t.backupEligible ?? this.options.backupEligible ?? false;
    const counter = t.counter ?? 0;
    const countBytes = Buffer.alloc(4);
    countBytes.writeUInt32BE(counter);
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(id.length);
    const authData = Buffer.concat([
      sha256(t.rpId ?? rpId),
      Buffer.from([this.flags(t, backupEligible, FLAG.AT)]),
      countBytes,
      Buffer.alloc(16), // AAGUID: none
      idLength,
      id,
      cose,
    ]);
    const attestationObject = cbor(
      new Map<Cbor, Cbor>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', authData],
      ]),
    );
    this.credentials.push({ id, privateKey, rpId, userHandle: Buffer.from(options.user.id, 'base64url'), counter, backupEligible });
    return {
      id: b64url(id),
      rawId: b64url(id),
      type: 'public-key',
      response: {
        clientDataJSON: b64url(this.clientData('webauthn.create', options.challenge, t)),
        attestationObject: b64url(attestationObject),
        transports: ['internal'],
      },
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
    };
  }

  /** navigator.credentials.get() with the server's request options: the credential it
   *  names, or (discoverable) the one for the RP ID, as a user would pick it. */
  get(options: RequestOptions, t: Tampering = {}, credential?: SoftCredential): AuthenticationResponse {
    const rpId = options.rpId ?? new URL(this.origin).hostname;
    const allowed = options.allowCredentials?.map((c) => c.id);
    const cred = credential ?? this.credentials.find((c) => c.rpId === rpId && (!allowed || allowed.length === 0 || allowed.includes(b64url(c.id))));
    if (!cred) throw new Error('soft authenticator: no credential for this RP');
    if (this.options.countsSignatures !== false) cred.counter += 1;
    const countBytes = Buffer.alloc(4);
    countBytes.writeUInt32BE(t.counter ?? (this.options.countsSignatures === false ? 0 : cred.counter));
    const authData = Buffer.concat([sha256(t.rpId ?? rpId), Buffer.from([this.flags(t, cred.backupEligible)]), countBytes]);
    const clientDataJSON = this.clientData('webauthn.get', options.challenge, t);
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientDataJSON)]), cred.privateKey);
    return {
      id: b64url(cred.id),
      rawId: b64url(cred.id),
      type: 'public-key',
      response: {
        clientDataJSON: b64url(clientDataJSON),
        authenticatorData: b64url(authData),
        signature: b64url(signature),
        userHandle: b64url(cred.userHandle),
      },
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
    };
  }
}
