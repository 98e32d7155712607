import { clientConfig } from './config';
import { deriveIdentityKey } from './identity-token';

let key: Buffer | undefined;

/** The process's identity-header key (the proxy and the pages run in the same server). */
export function identityKey(): Buffer {
  key ??= deriveIdentityKey(clientConfig().identitySecret.value);
  return key;
}
