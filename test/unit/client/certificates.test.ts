/** The trusted set, what is shown of a certificate, and why one was refused: one rule at a time. */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { after, before, describe, it } from 'node:test';
import {
  SYSTEM_BUNDLES,
  parsePemCertificates,
  peekCertificate,
  summarizeCertificate,
  systemCertificates,
  tlsError,
  trustedCertificates,
} from '../../../src/client/certificates';
import { GenosError } from '../../../src/client/errors';
import { makeCertificates, type TestCertificates } from '../../support/certs';

let certs: TestCertificates;
let dir: string;
before(() => {
  certs = makeCertificates(['localhost', '127.0.0.1']);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genos-certs-'));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A PEM file in the test's directory. */
function pemFile(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

describe('certificates', () => {
  it('says in the log what is wrong with a CA file', () => {
    const messageOf = (text: string) => {
      try {
        parsePemCertificates(text);
      } catch (error) {
        assert.ok(error instanceof GenosError && error.configProblem === 'caFileInvalid');
        return error.message;
      }
      return 'accepted';
    };
    assert.equal(messageOf('not a certificate'), 'genos.tls.caFile holds no PEM certificate.');
    assert.equal(
      messageOf('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----'),
      'genos.tls.caFile holds a certificate that cannot be read.',
    );
    assert.equal(messageOf(`${certs.caCert}\n${certs.selfSigned.cert}`), 'accepted');
  });

  it("reads the system's certificates with Node's reader, else from the first bundle file that holds any", () => {
    const bundle = pemFile('bundle.pem', `${certs.caCert}\n${certs.selfSigned.cert}`);
    const empty = pemFile('empty.pem', 'no certificates here');
    assert.deepEqual(
      systemCertificates((type) => [`from node: ${type}`], [bundle]),
      ['from node: system'],
    );
    const failing = () => {
      throw new Error('not supported');
    };
    const fromFile = systemCertificates(failing, [
      path.join(dir, 'missing.pem'),
      '',
      empty,
      bundle,
      pemFile('later.pem', certs.otherHost.cert),
    ]);
    assert.deepEqual(
      fromFile.map((pem) => pem.trim()),
      [certs.caCert.trim(), certs.selfSigned.cert.trim()],
    );
    assert.deepEqual(systemCertificates(undefined, [bundle]).length, 2);
    assert.deepEqual(systemCertificates(undefined, [empty]), []);
  });

  it("looks for the bundle where each Linux family keeps it, Debian's first", () => {
    // Only Debian's path exists on this machine; the others are the families' documented places.
    assert.deepEqual(SYSTEM_BUNDLES, [
      '/etc/ssl/certs/ca-certificates.crt', // Debian, Ubuntu, Arch, Gentoo
      '/etc/pki/tls/certs/ca-bundle.crt', // Fedora, RHEL, CentOS, Amazon Linux
      '/etc/ssl/ca-bundle.pem', // openSUSE, SLES
      '/etc/ssl/cert.pem', // Alpine, macOS
    ]);
  });

  it("finds this machine's bundle, where the distribution keeps it", () => {
    // Debian and Ubuntu keep it in /etc/ssl/certs (the CI machine is one of them).
    const debian = '/etc/ssl/certs/ca-certificates.crt';
    assert.ok(fs.existsSync(debian), 'this test expects a Debian-like machine');
    const found = systemCertificates();
    assert.ok(found.length > 100, `${found.length} certificates`);
  });

  it("adds the system's certificates unless http.systemCertificates is off, each once", () => {
    const without = trustedCertificates(certs.caCert, { systemCertificates: false, env: {} });
    assert.equal(without.length, new Set([...tls.rootCertificates.map((pem) => pem.trim()), certs.caCert.trim()]).size);
    const extra = pemFile('extra.pem', `  ${certs.caCert}  \n${certs.selfSigned.cert}`);
    const withExtra = trustedCertificates(certs.caCert, {
      systemCertificates: false,
      env: { NODE_EXTRA_CA_CERTS: extra },
    });
    assert.equal(withExtra.length, without.length + 1, 'the CA named twice counts once');
    const system = systemCertificates();
    const withSystem = trustedCertificates(certs.caCert, { env: {} });
    const set = new Set(withSystem);
    for (const pem of system) assert.ok(set.has(pem.trim()), 'a system certificate was left out');
    assert.ok(withSystem.length > without.length);
  });

  it("names a certificate's subject and issuer as a person reads them", () => {
    const summary = (subject: unknown, issuer: unknown = subject) =>
      summarizeCertificate({ subject, issuer, valid_to: 'Jan  1 00:00:00 2030 GMT' } as unknown as tls.PeerCertificate);
    assert.deepEqual(summary({ CN: 'genos.corp', O: 'Corp' }), {
      subject: 'genos.corp (Corp)',
      issuer: 'genos.corp (Corp)',
      validTo: 'Jan  1 00:00:00 2030 GMT',
      selfSigned: true,
    });
    assert.equal(summary({ CN: ['a', 'b'] })?.subject, 'a, b');
    assert.equal(summary({ CN: 'only-cn' })?.subject, 'only-cn');
    assert.equal(summary({ O: 'Only Org' })?.subject, 'Only Org');
    assert.equal(summary({ C: 'KR', L: 'Seoul' })?.subject, 'C=KR, L=Seoul');
    assert.equal(summary({ CN: 5 })?.subject, 'CN=5');
    assert.equal(summary({})?.subject, '?');
    assert.equal(summary(undefined, { CN: 'issuer' })?.subject, '?');
    assert.equal(summary({ CN: 'leaf' }, { CN: 'ca', O: 'Corp' })?.selfSigned, false);
    assert.equal(summarizeCertificate(undefined), undefined);
    assert.equal(summarizeCertificate({} as tls.PeerCertificate), undefined);
  });

  it('says which certificate of which host was refused, and why, in the log', () => {
    const error = tlsError(
      'CERT_HAS_EXPIRED',
      { subject: 'genos.corp', issuer: 'Corp CA', validTo: 'x', selfSigned: false },
      'genos.corp',
    );
    assert.equal(
      error.message,
      'The certificate of genos.corp was refused: CERT_HAS_EXPIRED (subject genos.corp, issuer Corp CA).',
    );
    assert.equal(error.tlsProblem, 'expired');
    assert.equal(
      tlsError('DEPTH_ZERO_SELF_SIGNED_CERT', undefined, 'h').message,
      'The certificate of h was refused: DEPTH_ZERO_SELF_SIGNED_CERT.',
    );
  });

  it("peeks at a server's certificate without trusting it, and gives up on what does not answer TLS", async () => {
    const server = tls.createServer({ key: certs.selfSigned.key, cert: certs.selfSigned.cert }, (socket) =>
      socket.end(),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const closing = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => closing.listen(0, '127.0.0.1', resolve));
    const port = (s: net.Server) => (s.address() as net.AddressInfo).port;
    try {
      const seen = await peekCertificate(new URL(`https://127.0.0.1:${port(server)}/`));
      assert.equal(seen?.selfSigned, true);
      assert.equal(seen?.subject, 'genos-self-signed (GenOS Self)');
      const started = Date.now();
      assert.equal(await peekCertificate(new URL(`https://127.0.0.1:${port(silent)}/`), 200), undefined);
      assert.ok(Date.now() - started < 5000, 'the timeout was not used');
      assert.equal(await peekCertificate(new URL(`https://127.0.0.1:${port(closing)}/`), 60_000), undefined);
    } finally {
      server.close();
      silent.close();
      closing.close();
    }
  });
});
