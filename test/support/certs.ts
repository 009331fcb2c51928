/**
 * Certificates made by openssl for TLS tests: a private certificate authority with a server
 * certificate it signed, and a self-signed server certificate. Each set lives in a new temporary
 * directory, so tests never depend on files from an earlier run.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface TestCertificates {
  dir: string;
  /** The private CA: what a user would put in `genos.tls.caFile`. */
  caCertFile: string;
  caCert: string;
  /** Signed by the CA, for the names in `hosts`. */
  server: { key: string; cert: string };
  /** Self-signed, for the same names. */
  selfSigned: { key: string; cert: string };
  /** Signed by the CA for another name only. */
  otherHost: { key: string; cert: string };
  /** Signed by the CA, expired. */
  expired: { key: string; cert: string };
  /** Signed by the CA, valid only from 2035 on. */
  notYetValid: { key: string; cert: string };
}

/** P-256 keys: made in a millisecond, where RSA keys made every run cost seconds. */
const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'];

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function subjectAltName(hosts: string[]): string {
  return hosts.map((host) => (/^[\d.]+$|:/.test(host) ? `IP:${host}` : `DNS:${host}`)).join(',');
}

/** Makes the certificates for `hosts` (IP addresses or names). Needs the `openssl` command. */
export function makeCertificates(hosts: string[]): TestCertificates {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genos-certs-'));
  const read = (name: string) => fs.readFileSync(path.join(dir, name), 'utf8');
  const san = subjectAltName(hosts);
  openssl(
    [
      'req',
      '-x509',
      ...newKey,
      '-nodes',
      '-days',
      '30',
      '-subj',
      '/O=GenOS Test/CN=GenOS Test Root CA',
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );

  const signed = (name: string, cn: string, names: string, days: number) => {
    openssl(
      ['req', ...newKey, '-nodes', '-subj', `/O=GenOS Test/CN=${cn}`, '-keyout', `${name}.key`, '-out', `${name}.csr`],
      dir,
    );
    fs.writeFileSync(
      path.join(dir, `${name}.ext`),
      `subjectAltName=${names}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`,
    );
    openssl(
      [
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        'ca.crt',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
        '-out',
        `${name}.crt`,
        '-extfile',
        `${name}.ext`,
        '-days',
        String(days),
      ],
      dir,
    );
    return { key: read(`${name}.key`), cert: read(`${name}.crt`) };
  };
  const server = signed('server', 'genos.test', san, 30);
  const otherHost = signed('other', 'other.example', 'DNS:other.example', 30);
  // An end date in the past: openssl x509 -req accepts a negative -days on the versions Debian ships.
  const expired = signed('expired', 'genos.test', san, -1);
  // A start date in the future needs `openssl ca` (x509 -req has no start date before OpenSSL 3.4).
  openssl(
    ['req', ...newKey, '-nodes', '-subj', '/O=GenOS Test/CN=genos.test', '-keyout', 'future.key', '-out', 'future.csr'],
    dir,
  );
  fs.writeFileSync(
    path.join(dir, 'future.ext'),
    `subjectAltName=${san}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`,
  );
  fs.writeFileSync(path.join(dir, 'index.txt'), '');
  fs.writeFileSync(path.join(dir, 'serial'), '1000\n');
  fs.writeFileSync(
    path.join(dir, 'ca.cnf'),
    '[ca]\ndefault_ca = test\n[test]\ndatabase = index.txt\nnew_certs_dir = .\nserial = serial\ndefault_md = sha256\npolicy = any\n[any]\ncommonName = supplied\n',
  );
  openssl(
    [
      'ca',
      '-batch',
      '-config',
      'ca.cnf',
      '-cert',
      'ca.crt',
      '-keyfile',
      'ca.key',
      '-in',
      'future.csr',
      '-out',
      'future.crt',
      '-startdate',
      '20350101000000Z',
      '-enddate',
      '20360101000000Z',
      '-extfile',
      'future.ext',
      '-notext',
    ],
    dir,
  );
  const notYetValid = { key: read('future.key'), cert: read('future.crt') };

  openssl(
    [
      'req',
      '-x509',
      ...newKey,
      '-nodes',
      '-days',
      '30',
      '-subj',
      '/O=GenOS Self/CN=genos-self-signed',
      '-keyout',
      'self.key',
      '-out',
      'self.crt',
      '-addext',
      `subjectAltName=${san}`,
    ],
    dir,
  );
  return {
    dir,
    caCertFile: path.join(dir, 'ca.crt'),
    caCert: read('ca.crt'),
    server,
    otherHost,
    expired,
    notYetValid,
    selfSigned: { key: read('self.key'), cert: read('self.crt') },
  };
}

/** An IPv4 address of this machine that is not loopback, so a proxy is not bypassed for it. */
export function nonLoopbackAddress(): string {
  for (const addresses of Object.values(os.networkInterfaces())) {
    for (const address of addresses ?? []) {
      if (address.family === 'IPv4' && !address.internal) return address.address;
    }
  }
  throw new Error(
    'This machine has no non-loopback IPv4 address; proxy tests need one to reach a server not bypassed as loopback.',
  );
}
