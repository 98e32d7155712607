/** The PHC string format orders argon2's parameters m, t, p (and libargon2, with the
 *  verifiers of PHP, Java and Python's argon2-cffi, refuses any other order); argon2
 *  0.45 writes m, p, t (node-argon2 issue #559). */
const ORDER = ['m', 't', 'p'];

/** `$argon2id$v=19$m=…,p=…,t=…$salt$hash` with its parameters in the canonical order;
 *  anything that is not such a string is returned unchanged. */
export function canonicalPhc(hash: string): string {
  const fields = hash.split('$');
  // ['', 'argon2id', 'v=19', 'm=…,p=…,t=…', salt, hash]
  if (fields.length !== 6 || !fields[1]!.startsWith('argon2')) return hash;
  const params = fields[3]!.split(',');
  const rank = (p: string) => {
    const i = ORDER.indexOf(p.slice(0, p.indexOf('=')));
    return i < 0 ? ORDER.length : i;
  };
  fields[3] = [...params].sort((a, b) => rank(a) - rank(b)).join(',');
  return fields.join('$');
}

export function isCanonicalPhc(hash: string): boolean {
  return canonicalPhc(hash) === hash;
}
