/** Certificates: the trusted set, what a person can check in one, and why one was refused. */
import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { configError, GenosError, tlsProblemOf, type CertificateSummary } from './errors';
import { socketAddress } from './proxy';

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** The certificates in PEM text; throws a `config` error when there are none. */
export function parsePemCertificates(text: string): string[] {
  const blocks = text.match(PEM_BLOCK) ?? [];
  if (blocks.length === 0) throw configError('caFileInvalid', 'genos.tls.caFile holds no PEM certificate.');
  for (const block of blocks) {
    try {
      new X509Certificate(block);
    } catch {
      throw configError('caFileInvalid', 'genos.tls.caFile holds a certificate that cannot be read.');
    }
  }
  return blocks;
}

function nameOf(fields: Record<string, unknown> | undefined): string {
  if (!fields) return '?';
  const pick = (key: string) => {
    const value = fields[key];
    return Array.isArray(value) ? value.join(', ') : typeof value === 'string' ? value : undefined;
  };
  const cn = pick('CN');
  const org = pick('O');
  if (cn && org) return `${cn} (${org})`;
  return (
    cn ??
    org ??
    (Object.entries(fields)
      .map(([key, value]) => `${key}=${String(value)}`)
      .join(', ') ||
      '?')
  );
}

/** Where Linux distributions keep the system's trusted certificates, as one PEM bundle. */
export const SYSTEM_BUNDLES: readonly string[] = [
  '/etc/ssl/certs/ca-certificates.crt',
  '/etc/pki/tls/certs/ca-bundle.crt',
  '/etc/ssl/ca-bundle.pem',
  '/etc/ssl/cert.pem',
];

/** PEM blocks of a file, or none when it cannot be read. */
function pemFile(file: string | undefined): string[] {
  if (!file) return [];
  try {
    return fs.readFileSync(file, 'utf8').match(PEM_BLOCK) ?? [];
  } catch {
    return [];
  }
}

/** Node's own reader of the operating system's certificates (newer Node versions only). */
type SystemReader = (type: 'system') => string[];

/**
 * The operating system's trusted certificates, where Node can read them: its own API on newer
 * versions, otherwise the first Linux bundle file that holds any. Empty where neither exists.
 * Its sources are parameters for the tests.
 */
export function systemCertificates(
  read = (tls as unknown as { getCACertificates?: SystemReader }).getCACertificates,
  bundles: readonly string[] = SYSTEM_BUNDLES,
): string[] {
  if (read) {
    try {
      return read('system');
    } catch {
      // Fall through to the bundle files.
    }
  }
  for (const file of bundles) {
    const found = pemFile(file);
    if (found.length > 0) return found;
  }
  return [];
}

/**
 * The full trusted set when a CA file is configured: Node's roots, the system's (unless
 * `http.systemCertificates` is off), `NODE_EXTRA_CA_CERTS`, and the file. Passing `ca` replaces
 * Node's defaults, so all of them are listed here.
 */
export function trustedCertificates(
  caPem: string,
  settings: { systemCertificates?: boolean; env?: Readonly<Record<string, string | undefined>> },
): string[] {
  const all = [
    ...tls.rootCertificates,
    ...(settings.systemCertificates === false ? [] : systemCertificates()),
    ...pemFile(settings.env?.NODE_EXTRA_CA_CERTS),
    ...parsePemCertificates(caPem),
  ];
  return [...new Set(all.map((pem) => pem.trim()))];
}

/** What a person can check in a peer certificate. */
export function summarizeCertificate(cert: tls.PeerCertificate | undefined): CertificateSummary | undefined {
  if (!cert || Object.keys(cert).length === 0) return undefined;
  const subject = nameOf(cert.subject as unknown as Record<string, unknown>);
  const issuer = nameOf(cert.issuer as unknown as Record<string, unknown>);
  const selfSigned = JSON.stringify(cert.subject) === JSON.stringify(cert.issuer);
  return { subject, issuer, validTo: cert.valid_to, selfSigned };
}

/** Makes the error for a refused certificate. */
export function tlsError(code: string, cert: CertificateSummary | undefined, host: string): GenosError {
  const problem = tlsProblemOf(code);
  const who = cert ? ` (subject ${cert.subject}, issuer ${cert.issuer})` : '';
  return new GenosError({
    kind: 'network',
    networkReason: 'tls',
    tlsProblem: problem,
    certificate: cert,
    detail: code,
    message: `The certificate of ${host} was refused: ${code}${who}.`,
  });
}

/**
 * Looks at the certificate a server presents without trusting it or sending anything over the
 * connection, to explain a TLS failure of the default path. Resolves undefined when it cannot.
 */
export function peekCertificate(target: URL, timeoutMs = 5000): Promise<CertificateSummary | undefined> {
  const { host, port } = socketAddress(target);
  return new Promise((resolve) => {
    const socket = tls.connect({
      host,
      port,
      servername: net.isIP(host) ? undefined : host,
      rejectUnauthorized: false,
    });
    const finish = (value: CertificateSummary | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(value);
    };
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    socket.once('secureConnect', () => finish(summarizeCertificate(socket.getPeerCertificate())));
    socket.once('error', () => finish(undefined));
  });
}
