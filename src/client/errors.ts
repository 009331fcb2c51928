/**
 * Typed failures of the GenOS client. Every surface (panel, commands, notifications) decides what
 * to say and which next step to offer from `kind`, never from message text.
 */

/** What went wrong, in terms a UI can act on. */
export type GenosErrorKind =
  /** The settings cannot form a request (see {@link ConfigProblem}). */
  | 'config'
  /** 401 or 403: the token is missing, wrong, expired or not allowed for this serving. */
  | 'unauthorized'
  /** 404: the address or serving id does not point at a serving. */
  | 'notFound'
  /** 400 or 422: the server refused the request itself (for example, the context is too long). */
  | 'badRequest'
  /** 429: too many requests; `retryAfterSeconds` says when to try again when the server said so. */
  | 'rateLimited'
  /** 5xx: the server or the model failed. */
  | 'server'
  /** 3xx: the server pointed elsewhere; the client never follows, so the token stays put. */
  | 'redirect'
  /** The connection failed or broke (see {@link NetworkReason}). */
  | 'network'
  /** 407: the proxy between the editor and GenOS wants credentials it did not get or accept. */
  | 'proxyAuth'
  /** No response, or no new data, within the configured time. */
  | 'timeout'
  /** The server reported an error inside the event stream. */
  | 'streamError'
  /** The server sent something that is not the OpenAI-compatible protocol. */
  | 'malformed'
  /** The user (or the editor) stopped the request. */
  | 'cancelled'
  /** A fault in this extension itself, not in GenOS or the network; details are in the log. */
  | 'internal';

/** Why the settings cannot form a request. */
export type ConfigProblem =
  | 'missingBaseUrl'
  | 'invalidBaseUrl'
  | 'unsupportedScheme'
  | 'credentialsInUrl'
  | 'clearTextRefused'
  | 'missingServingId'
  | 'invalidServingId'
  | 'servingIdConflict'
  | 'missingToken'
  | 'invalidToken'
  /** `genos.userId` holds characters an HTTP header cannot carry (a Korean name, for example). */
  | 'invalidUserId'
  | 'noModels'
  /** `genos.proxy` or `http.proxy` is not an http(s) URL. */
  | 'invalidProxy'
  /** `genos.tls.caFile` cannot be read. */
  | 'caFileUnreadable'
  /** `genos.tls.caFile` holds no PEM certificate. */
  | 'caFileInvalid';

/** How a connection failed. */
export type NetworkReason = 'refused' | 'dns' | 'tls' | 'proxy' | 'reset' | 'unreachable' | 'incomplete' | 'other';

/** Why a server certificate was refused. */
export type TlsProblem = 'untrusted' | 'selfSigned' | 'hostname' | 'expired' | 'notYetValid' | 'other';

/** The parts of a certificate a person can check. */
export interface CertificateSummary {
  subject: string;
  issuer: string;
  /** Expiry, as the certificate states it. */
  validTo: string;
  selfSigned: boolean;
}

/** Which of the two timeouts fired. */
export type TimeoutPhase = 'response' | 'idle';

export interface GenosErrorInit {
  kind: GenosErrorKind;
  /** A short English description for logs; never contains the token or message contents. */
  message: string;
  status?: number;
  configProblem?: ConfigProblem;
  networkReason?: NetworkReason;
  timeoutPhase?: TimeoutPhase;
  /** Seconds the server asked to wait (429 `Retry-After`). */
  retryAfterSeconds?: number;
  /** The server's own explanation, cleaned of markup, shortened, and with the token removed. */
  serverMessage?: string;
  /** A low-level code (for example `ECONNREFUSED`) or the origin a redirect pointed to. */
  detail?: string;
  /** The time limit that fired, in seconds. */
  timeoutSeconds?: number;
  tlsProblem?: TlsProblem;
  /** The certificate the server presented, when a TLS failure involved it. */
  certificate?: CertificateSummary;
  cause?: unknown;
}

/** A failure of a GenOS request. Keeps the answer text received before the failure. */
export class GenosError extends Error {
  readonly kind: GenosErrorKind;
  readonly status?: number;
  readonly configProblem?: ConfigProblem;
  readonly networkReason?: NetworkReason;
  readonly timeoutPhase?: TimeoutPhase;
  readonly retryAfterSeconds?: number;
  readonly serverMessage?: string;
  readonly detail?: string;
  readonly timeoutSeconds?: number;
  readonly tlsProblem?: TlsProblem;
  /** Filled in after the fact when a second look at the server finds it. */
  certificate?: CertificateSummary;
  /** Answer text received before the failure. */
  partialText = '';
  /** Reasoning text received before the failure. */
  partialReasoning = '';

  constructor(init: GenosErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'GenosError';
    this.kind = init.kind;
    this.status = init.status;
    this.configProblem = init.configProblem;
    this.networkReason = init.networkReason;
    this.timeoutPhase = init.timeoutPhase;
    this.retryAfterSeconds = init.retryAfterSeconds;
    this.serverMessage = init.serverMessage;
    this.detail = init.detail;
    this.timeoutSeconds = init.timeoutSeconds;
    this.tlsProblem = init.tlsProblem;
    this.certificate = init.certificate;
  }

  /** Returns this error with the partial answer attached (the first attachment wins). */
  withPartial(text: string, reasoning: string): this {
    if (!this.partialText) this.partialText = text;
    if (!this.partialReasoning) this.partialReasoning = reasoning;
    return this;
  }
}

/** Makes a configuration error. */
export function configError(problem: ConfigProblem, message: string): GenosError {
  return new GenosError({ kind: 'config', configProblem: problem, message });
}

/** The error of a request the user (or the editor) stopped. */
export function requestCancelled(): GenosError {
  return new GenosError({ kind: 'cancelled', message: 'The request was cancelled.' });
}

/** Sorts an OpenSSL or Node verification code into what the user can do about it. */
export function tlsProblemOf(code: string | undefined): TlsProblem {
  switch (code) {
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
      return 'selfSigned';
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'CERT_UNTRUSTED':
      return 'untrusted';
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
    case 'HOSTNAME_MISMATCH':
      return 'hostname';
    case 'CERT_HAS_EXPIRED':
      return 'expired';
    case 'CERT_NOT_YET_VALID':
      return 'notYetValid';
    default:
      return 'other';
  }
}
