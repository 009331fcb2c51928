import { tlsProblemOf, type GenosError } from './errors';
import type { RetryWait } from './genosClient';
import { parseContextLimit } from './openai';

/**
 * Formats a message with `{0}`-style arguments in the user's language. In the extension this is
 * `vscode.l10n.t`; tests pass a translator built from the l10n bundles.
 */
export type Translate = (message: string, ...args: Array<string | number | boolean>) => string;

/** The next step a surface can offer for an error. */
export type ErrorAction = 'setToken' | 'openSettings' | 'selectModel' | 'retry' | 'retryLessContext' | 'showLog';

/** English (the source language): fills `{0}`-style arguments without translating. */
export const english: Translate = (message, ...args) =>
  message.replace(/\{(\d+)\}/g, (match, index: string) =>
    Number(index) < args.length ? String(args[Number(index)]) : match,
  );

function configText(error: GenosError, t: Translate): string {
  switch (error.configProblem) {
    case 'missingBaseUrl':
      return t(
        'The GenOS address is not set. Open the settings and set "GenOS: Base Url" (for example https://genos.example.com).',
      );
    case 'invalidBaseUrl':
      return t(
        'The GenOS address is not a valid URL. It must start with https:// or http://, for example https://genos.example.com.',
      );
    case 'unsupportedScheme':
      return t('The GenOS address must use https:// or http://.');
    case 'credentialsInUrl':
      return t(
        'The GenOS address must not contain a user name or password. Remove them and set the access token with "GenOS: Set Access Token".',
      );
    case 'clearTextRefused':
      return t(
        'The token was not sent: the GenOS address uses plain http:// to another machine, and sending over it was not allowed. Use https://, or allow it when asked.',
      );
    case 'missingServingId':
      return t(
        'The serving id is not set. Open the settings and set "GenOS: Serving Id" (the number at the end of the serving address).',
      );
    case 'invalidServingId':
      return t('The serving id may contain only letters, digits, ".", "_", "~" and "-".');
    case 'servingIdConflict':
      return t('The GenOS address already names a serving that differs from "GenOS: Serving Id". Remove one of them.');
    case 'missingToken':
      // A codespace that names its serving without a key says so; otherwise the token is simply missing.
      return error.detail === 'environmentKey'
        ? t(
            'This GenOS codespace names its serving (GENOS_SERVING_URL) but provides no key (GENOS_SERVING_API_KEY). Run "GenOS: Set Access Token" to enter the key, or ask the GenOS administrator to provision it.',
          )
        : t('No access token is stored for this serving. Run "GenOS: Set Access Token".');
    case 'invalidToken':
      return t('The access token contains spaces or characters that cannot be sent. Copy it again from GenOS.');
    case 'invalidUserId':
      return t(
        '"GenOS: User Id" holds characters that cannot be sent (such as Korean letters or spaces). Set the GenOS user id as GenOS shows it, in Latin letters and digits, or leave it empty.',
      );
    case 'noModels':
      return t('The serving lists no models. Check that the serving is running in GenOS.');
    case 'invalidProxy':
      return t(
        'The proxy setting is not a valid address. Use a URL such as http://proxy.example.com:8080 in "genos.proxy" or "http.proxy", or "direct" in "genos.proxy" for no proxy.',
      );
    case 'caFileUnreadable':
      return t('The file in "genos.tls.caFile" cannot be read. Set the full path of a PEM file that exists.');
    case 'caFileInvalid':
      return t(
        'The file in "genos.tls.caFile" holds no PEM certificate. Export the certificate authority in PEM format (text starting with -----BEGIN CERTIFICATE-----).',
      );
    default:
      return t('The GenOS settings are incomplete.');
  }
}

function tlsText(error: GenosError, t: Translate): string {
  const cert = error.certificate;
  const about = cert ? t('subject {0}, issuer {1}', cert.subject, cert.issuer) : t('certificate details unavailable');
  switch (error.tlsProblem ?? tlsProblemOf(error.detail)) {
    case 'selfSigned':
      return t(
        'GenOS presents a self-signed certificate ({0}). If you trust this server, set "genos.tls.caFile" to that certificate, or turn on "genos.tls.allowSelfSigned".',
        about,
      );
    case 'untrusted':
      return t(
        'The GenOS certificate ({0}) is not signed by an authority this computer trusts. If your company has its own certificate authority, set "genos.tls.caFile" to its PEM file.',
        about,
      );
    case 'hostname':
      return t(
        'The GenOS certificate ({0}) is not issued for the host in "GenOS: Base Url". Use the host name the certificate names.',
        about,
      );
    case 'expired':
      return t(
        'The GenOS certificate ({0}) expired on {1}. Ask the GenOS administrator to renew it.',
        about,
        cert?.validTo ?? '?',
      );
    case 'notYetValid':
      return t('The GenOS certificate ({0}) is not valid yet. Check the date and time of this computer.', about);
    default:
      return t(
        'The secure connection to GenOS failed ({0}). The server certificate is not trusted or does not match the address.',
        error.detail ?? 'TLS',
      );
  }
}

function networkText(error: GenosError, t: Translate): string {
  switch (error.networkReason) {
    case 'refused':
      return t(
        'GenOS refused the connection. Check the address and port in "GenOS: Base Url", and that the server is running.',
      );
    case 'dns':
      return t('The GenOS host name could not be found. Check "GenOS: Base Url" and your network or VPN.');
    case 'tls':
      return tlsText(error, t);
    case 'proxy':
      if (error.tlsProblem) {
        return t(
          'The certificate of the proxy was refused ({0}). Add its certificate authority to "genos.tls.caFile", or turn off "http.proxyStrictSSL" if you trust this network.',
          error.detail ?? 'TLS',
        );
      }
      return t(
        'The proxy did not connect to GenOS ({0}). Check "genos.proxy", "http.proxy" or the HTTPS_PROXY variable, and "http.noProxy".',
        error.detail ?? 'proxy',
      );
    case 'reset':
      return t('The connection to GenOS was closed unexpectedly.');
    case 'unreachable':
      return t('GenOS could not be reached. Check your network, VPN or proxy.');
    case 'incomplete':
      return t('The answer stopped before it was complete: the connection closed early.');
    default:
      return t('The connection to GenOS failed ({0}).', error.detail ?? 'network');
  }
}

function mainText(error: GenosError, t: Translate): string {
  switch (error.kind) {
    case 'config':
      return configText(error, t);
    case 'unauthorized':
      return error.status === 403
        ? t(
            'GenOS refused the access token for this serving (403). Ask the serving owner for access, or set another token.',
          )
        : t('GenOS did not accept the access token (401). It may be wrong or expired: set a new one.');
    case 'notFound':
      if (error.detail === 'model') {
        return t(
          'The serving has no model named "{0}". Choose one of its models with "GenOS: Select Model", or clear "GenOS: Model".',
          error.serverMessage ?? '?',
        );
      }
      return t(
        'GenOS was reached, but there is no serving at this address (404). Check "GenOS: Base Url" and "GenOS: Serving Id".',
      );
    case 'badRequest': {
      if (error.detail === 'toolsRefused') {
        return t(
          'This GenOS serving does not accept tools, so agent mode cannot use it ({0}). Use Ask mode, or ask the serving owner to turn on tool calling (vLLM: --enable-auto-tool-choice with a --tool-call-parser).',
          error.serverMessage ?? error.status ?? 400,
        );
      }
      const limit = parseContextLimit(error.serverMessage);
      if (limit) {
        return t(
          "The conversation is too long for the model's context window ({0} tokens). Retry with less context: earlier turns are left out and long attachments cut.",
          limit.window,
        );
      }
      return error.serverMessage
        ? t('GenOS refused the request ({0}): {1}', error.status ?? 400, error.serverMessage)
        : t('GenOS refused the request ({0}).', error.status ?? 400);
    }
    case 'rateLimited':
      return error.retryAfterSeconds !== undefined
        ? t('GenOS is receiving too many requests. Try again in {0} seconds.', error.retryAfterSeconds)
        : t('GenOS is receiving too many requests. Try again in a moment.');
    case 'server':
      return error.serverMessage
        ? t('GenOS had a server error ({0}): {1}', error.status ?? 500, error.serverMessage)
        : t('GenOS had a server error ({0}). Try again; if it persists, ask the serving owner.', error.status ?? 500);
    case 'redirect':
      return t(
        'GenOS answered with a redirect to {0}, which is not followed so that the token stays with the address you set. Set "GenOS: Base Url" to the final address.',
        error.detail || '?',
      );
    case 'network':
      return networkText(error, t);
    case 'proxyAuth':
      return t(
        'The proxy requires a user name and password (407). Put them in the proxy address, for example http://user:password@proxy.example.com:8080, in "genos.proxy" or "http.proxy".',
      );
    case 'timeout':
      return error.timeoutPhase === 'idle'
        ? t(
            'The answer stopped arriving: no data for {0} seconds. You can retry, or raise "GenOS: Request Timeout Seconds".',
            error.timeoutSeconds ?? 0,
          )
        : t(
            'GenOS did not answer within {0} seconds. You can retry, or raise "GenOS: Request Timeout Seconds".',
            error.timeoutSeconds ?? 0,
          );
    case 'streamError':
      return error.serverMessage
        ? t('The model stopped with an error: {0}', error.serverMessage)
        : t('The model stopped with an error.');
    case 'malformed':
      if (error.detail === 'unknownTool') {
        return t(
          'The model called a tool it was not offered ({0}), so nothing was run. Try again, or rephrase the request.',
          error.serverMessage ?? '?',
        );
      }
      if (error.detail === 'tooLarge') {
        return t(
          'GenOS sent more than an answer can hold, so it was stopped to protect the editor. Try again; if it happens again, ask the serving owner to check the serving.',
        );
      }
      return t('GenOS sent an answer this extension cannot read. Check that the address points at a GenOS serving.');
    case 'cancelled':
      return t('Stopped.');
    case 'internal':
      return t('An internal error occurred in the GenOS extension; see the log.');
  }
}

/** What to tell the user about an error, in their language: what happened and what to do next. */
export function describeError(error: GenosError, t: Translate): string {
  const text = mainText(error, t);
  const kept =
    error.partialText.length > 0 && error.kind !== 'cancelled' ? ` ${t('The text received so far is kept.')}` : '';
  return text + kept;
}

/** The next steps worth offering for an error, most useful first. */
export function errorActions(error: GenosError): ErrorAction[] {
  switch (error.kind) {
    case 'config':
      return error.configProblem === 'missingToken' || error.configProblem === 'invalidToken'
        ? ['setToken']
        : ['openSettings'];
    case 'unauthorized':
      return ['setToken', 'retry'];
    case 'notFound':
      return error.detail === 'model' ? ['selectModel', 'openSettings'] : ['openSettings', 'showLog'];
    case 'redirect':
      return ['openSettings', 'showLog'];
    case 'network':
      return error.networkReason === 'refused' ||
        error.networkReason === 'dns' ||
        error.networkReason === 'tls' ||
        error.networkReason === 'proxy'
        ? ['retry', 'openSettings', 'showLog']
        : ['retry', 'showLog'];
    case 'proxyAuth':
      return ['openSettings', 'retry'];
    case 'cancelled':
      return ['retry'];
    case 'internal':
      return ['showLog', 'retry'];
    case 'badRequest':
      return parseContextLimit(error.serverMessage) ? ['retryLessContext', 'showLog'] : ['retry', 'showLog'];
    default:
      return ['retry', 'showLog'];
  }
}

/** What to show while the client waits to try again: why, and in how many seconds. */
export function describeRetryWait(wait: RetryWait, t: Translate): string {
  const seconds = Math.max(1, Math.ceil(wait.delayMs / 1000));
  if (wait.error.kind === 'rateLimited') return t('GenOS is busy (429). Trying again in {0} seconds…', seconds);
  if (wait.error.kind === 'server') {
    return t('GenOS had a server error ({0}). Trying again in {1} seconds…', wait.error.status ?? 500, seconds);
  }
  return t('GenOS could not be reached. Trying again in {0} seconds…', seconds);
}
