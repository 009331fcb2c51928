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
  /** No response, or no new data, within the configured time. */
  | 'timeout'
  /** The server reported an error inside the event stream. */
  | 'streamError'
  /** The server sent something that is not the OpenAI-compatible protocol. */
  | 'malformed'
  /** The user (or the editor) stopped the request. */
  | 'cancelled';

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
  | 'noModels';

/** How a connection failed. */
export type NetworkReason = 'refused' | 'dns' | 'tls' | 'reset' | 'unreachable' | 'incomplete' | 'other';

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

/** True for an error that is a {@link GenosError} of the given kind. */
export function isGenosError(value: unknown, kind?: GenosErrorKind): value is GenosError {
  return value instanceof GenosError && (kind === undefined || value.kind === kind);
}
