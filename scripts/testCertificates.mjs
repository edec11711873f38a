// A throw-away certificate authority for the VS Code test runs, made with openssl: a CA and one
// server certificate for `*.llm-manager.test`, `localhost` and 127.0.0.1. The server gets the CA as
// its system bundle (SSL_CERT_FILE: what VS Code's system certificates read on Linux) and as
// NODE_EXTRA_CA_CERTS; the tests' HTTPS front (test/integration/tlsFront.ts) serves the certificate.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Writes ca.pem, server.key and server.pem into `folder` and returns their paths.
 * @param {string} folder
 * @returns {{ caFile: string, keyFile: string, certFile: string }}
 */
export function createTestCertificates(folder) {
  fs.mkdirSync(folder, { recursive: true });
  const file = (name) => path.join(folder, name);
  const openssl = (...args) => {
    const result = spawnSync('openssl', args, { cwd: folder, encoding: 'utf8' });
    if (result.error || result.status !== 0)
      throw new Error(
        `openssl ${args[0]} failed (is openssl installed?): ${result.error?.message ?? result.stderr}`,
      );
  };
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=LLM Manager test CA',
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.pem'),
  );
  openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=llm-manager.test',
    '-keyout',
    file('server.key'),
    '-out',
    file('server.csr'),
  );
  fs.writeFileSync(
    file('server.ext'),
    'subjectAltName=DNS:*.llm-manager.test,DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n',
  );
  openssl(
    'x509',
    '-req',
    '-in',
    file('server.csr'),
    '-CA',
    file('ca.pem'),
    '-CAkey',
    file('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    file('server.ext'),
    '-out',
    file('server.pem'),
  );
  return { caFile: file('ca.pem'), keyFile: file('server.key'), certFile: file('server.pem') };
}
