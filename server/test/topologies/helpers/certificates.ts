/**
 * A throwaway private CA and one server certificate it signed, made with the openssl CLI
 * at test time (nothing checked in, nothing trusted by the machine): what a managed Redis
 * with in-transit encryption looks like to a client that is given the CA's file.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestCertificates {
  /** The CA's certificate (PEM): REDIS_TLS_CA_FILE. */
  caFile: string;
  /** The server's certificate and key, for 127.0.0.1 and localhost. */
  certFile: string;
  keyFile: string;
}

/** Writes the CA and the server certificate into `dir`. EC keys: quick to make. */
export async function makeCertificates(dir: string): Promise<TestCertificates> {
  const file = (name: string) => path.join(dir, name);
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await run('openssl', ['req', '-x509', ...key, '-keyout', file('ca.key'), '-out', file('ca.crt'), '-days', '2', '-subj', '/CN=Cloakroom test CA']);
  await run('openssl', ['req', ...key, '-keyout', file('server.key'), '-out', file('server.csr'), '-subj', '/CN=localhost']);
  // Cluster nodes and Sentinels name each other by address: the certificate must too.
  fs.writeFileSync(file('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    file('server.csr'),
    '-CA',
    file('ca.crt'),
    '-CAkey',
    file('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    file('server.ext'),
    '-out',
    file('server.crt'),
  ]);
  return { caFile: file('ca.crt'), certFile: file('server.crt'), keyFile: file('server.key') };
}
