import { configError } from './errors';

const SERVING_PATH = '/api/gateway/rep/serving/';
/** A serving id: one path segment, never `.` or `..` (which would name another path on the host). */
const SERVING_ID = /^(?!\.+$)[A-Za-z0-9._~-]+$/;
/** A base URL pasted with the serving path already in it, optionally followed by /v1. */
const PASTED_ENDPOINT = /^(.*?)\/api\/gateway\/rep\/serving\/([^/]+)(?:\/v1)?$/;

/**
 * Builds a serving's endpoint, `{baseUrl}/api/gateway/rep/serving/{servingId}`, without a trailing
 * slash. Accepts surrounding whitespace, trailing slashes, a path prefix on the base URL, and a base
 * URL that already ends in the serving path (its id is then used). Throws a `config` GenosError,
 * before any request, for anything that is not an http(s) URL or carries credentials.
 */
export function buildEndpoint(baseUrl: string, servingId: string): URL {
  const base = baseUrl.trim();
  let id = servingId.trim();
  if (!base) throw configError('missingBaseUrl', 'The GenOS address is not set.');
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(base)) {
    throw configError('invalidBaseUrl', 'The GenOS address must start with https:// or http://.');
  }
  let url: URL;
  try {
    url = new URL(base);
  } catch (cause) {
    throw configError('invalidBaseUrl', `The GenOS address is not a valid URL (${String(cause)}).`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw configError('unsupportedScheme', `The GenOS address uses ${url.protocol}; only https: and http: work.`);
  }
  if (url.username || url.password) {
    throw configError('credentialsInUrl', 'The GenOS address contains a user name or password.');
  }
  let path = url.pathname.replace(/\/+$/, '');
  const pasted = PASTED_ENDPOINT.exec(path);
  if (pasted) {
    let pastedId: string;
    try {
      pastedId = decodeURIComponent(pasted[2]);
    } catch {
      throw configError('invalidBaseUrl', 'The GenOS address holds a broken % escape.');
    }
    if (id && id !== pastedId) {
      throw configError(
        'servingIdConflict',
        'The GenOS address names a different serving than the serving id setting.',
      );
    }
    id = pastedId;
    path = pasted[1];
  }
  if (!id) throw configError('missingServingId', 'The serving id is not set.');
  if (!SERVING_ID.test(id)) {
    throw configError('invalidServingId', 'The serving id may contain only letters, digits, ".", "_", "~" and "-".');
  }
  const endpoint = new URL(url.origin);
  endpoint.pathname = `${path}${SERVING_PATH}${encodeURIComponent(id)}`;
  return endpoint;
}

/** Appends an API path (for example `/v1/models`) to an endpoint. */
export function apiUrl(endpoint: URL, apiPath: string): URL {
  const url = new URL(endpoint.href);
  url.pathname = `${endpoint.pathname.replace(/\/+$/, '')}${apiPath}`;
  return url;
}

/**
 * True when the host name is this machine: `localhost`, `*.localhost`, 127.0.0.0/8, ::1, or an
 * IPv4-mapped loopback address (URL writes ::ffff:127.0.0.1 as ::ffff:7f00:1).
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (host === '::1' || host === '0:0:0:0:0:0:0:1' || /^::ffff:(127\.|7f[0-9a-f]{2}:)/.test(host)) return true;
  return /^127(?:\.\d{1,3}){3}$/.test(host);
}

/** True when sending a token to this endpoint would cross a network in clear text. */
export function isInsecureRemote(endpoint: URL): boolean {
  return endpoint.protocol === 'http:' && !isLoopbackHost(endpoint.hostname);
}
