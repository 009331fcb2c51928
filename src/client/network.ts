import * as net from 'node:net';
import * as tls from 'node:tls';
import { summarizeCertificate, tlsError, trustedCertificates } from './certificates';
import { GenosError, tlsProblemOf, type CertificateSummary, type TlsProblem } from './errors';
import {
  displayProxy,
  proxyAuthorization,
  resolveProxy,
  socketAddress,
  type ProxyRoute,
  type ProxySettings,
} from './proxy';

/** Certificate and proxy choices for GenOS connections. Everything optional: empty means defaults. */
export interface NetworkSettings extends ProxySettings {
  /** PEM text with one or more CA certificates, trusted in addition to the default set. */
  caPem?: string;
  /** VS Code's `http.systemCertificates`: trust the operating system's certificates too. Default on. */
  systemCertificates?: boolean;
  /** Accept a certificate no trusted authority signed (the host name must still match). */
  allowSelfSigned?: boolean;
  /** VS Code's `http.proxyStrictSSL`: verify certificates on connections through a proxy. */
  proxyStrictSsl?: boolean;
  /** VS Code's `http.proxyAuthorization`: the `Proxy-Authorization` value when the proxy URL has no credentials. */
  proxyAuthorization?: string;
}

/** What one connection went through, for Test Connection and the log. */
export interface ConnectionTrace {
  /** `default`: the editor's own network stack; `direct` or `proxy`: this client's. */
  path: 'default' | 'direct' | 'proxy';
  /** The proxy, without credentials. */
  proxy?: string;
  proxySource?: string;
  bypass?: ProxyRoute['bypass'];
  /** For example `TLSv1.3`. */
  tlsVersion?: string;
  certificate?: CertificateSummary;
  /** Whether the certificate chain was verified (false when a setting allowed skipping it). */
  verified?: boolean;
  /** Milliseconds from the start of the request. */
  connectedMs?: number;
  secureMs?: number;
}

/** Chain problems that `genos.tls.allowSelfSigned` accepts; everything else stays an error. */
const ALLOWED_WHEN_SELF_SIGNED = new Set<TlsProblem>(['selfSigned', 'untrusted']);

/** A failure to reach or talk to the proxy itself, named as such. */
export function proxyFailure(error: unknown, proxy: URL): GenosError {
  if (error instanceof GenosError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? 'ERROR';
  const problem = tlsProblemOf(code);
  const tlsFailure = problem !== 'other' || /^(ERR_TLS_|ERR_SSL_|CERT_)/.test(code);
  return new GenosError({
    kind: 'network',
    networkReason: 'proxy',
    tlsProblem: tlsFailure ? problem : undefined,
    detail: `${displayProxy(proxy)} ${code}`,
    message: `The proxy ${displayProxy(proxy)} failed: ${code}.`,
    cause: error,
  });
}

/** A socket failure of this client's own making; only its code is read (by proxyFailure). */
function socketError(code: string): Error {
  return Object.assign(new Error(code), { code });
}

/**
 * Waits for `event` on `socket`, failing on its error or on `signal`. The listeners that could
 * outlive the wait are removed; the event's own is a once listener, and when it never fires the
 * socket is closed and dropped.
 */
function once(socket: net.Socket, event: string, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      socket.off('error', onError);
      socket.off('close', onClose);
      signal.removeEventListener('abort', onAbort);
    };
    const onEvent = () => {
      cleanup();
      resolve();
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onClose = () => {
      cleanup();
      reject(socketError('ECONNRESET'));
    };
    const onAbort = () => {
      cleanup();
      socket.destroy();
      reject(signal.reason);
    };
    if (signal.aborted) {
      onAbort();
      return;
    }
    socket.once(event, onEvent);
    socket.once('error', onError);
    socket.once('close', onClose);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Reads an HTTP response head from a raw socket (a proxy's answer to CONNECT). */
function readHead(socket: net.Socket, signal: AbortSignal): Promise<{ status: number; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const cleanup = () => {
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('end', onEnd);
      signal.removeEventListener('abort', onAbort);
    };
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) {
        if (buffered.length > 64 * 1024) onError(socketError('EPROTO'));
        return;
      }
      cleanup();
      socket.pause();
      const statusLine = buffered.subarray(0, buffered.indexOf('\r\n')).toString('latin1');
      const status = Number(/^HTTP\/\d(?:\.\d)?\s+(\d{3})/.exec(statusLine)?.[1] ?? 0);
      resolve({ status, rest: buffered.subarray(end + 4) });
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onEnd = () => onError(socketError('ECONNRESET'));
    const onAbort = () => {
      cleanup();
      socket.destroy();
      reject(signal.reason);
    };
    socket.on('data', onData);
    socket.once('error', onError);
    socket.once('end', onEnd);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * The network path to GenOS when a certificate or proxy setting applies. Opens sockets itself,
 * so the editor's own proxy handling cannot route the request a second time or drop the
 * certificates configured here. Certificates are checked before the socket is handed on, so not
 * one byte of a request (and so not the token) reaches a server that failed the check.
 */
export class NetworkPath {
  private readonly secureContext?: tls.SecureContext;

  constructor(private readonly settings: NetworkSettings) {
    if (settings.caPem !== undefined) {
      this.secureContext = tls.createSecureContext({ ca: trustedCertificates(settings.caPem, settings) });
    }
  }

  /** How `target` is reached. Throws a `config` error for a proxy setting that is not a URL. */
  route(target: URL): ProxyRoute {
    return resolveProxy(target, this.settings);
  }

  /**
   * True when nothing here changes how `target` is reached, so the editor's own network stack
   * (its system certificates and proxy detection) is used unchanged.
   */
  usesDefault(target: URL, route = this.route(target)): boolean {
    return (
      !route.proxy &&
      route.bypass !== 'genos.proxy' &&
      !(target.protocol === 'https:' && (this.secureContext || this.settings.allowSelfSigned))
    );
  }

  /**
   * Opens a connection to `target`, through the proxy when one applies, with TLS verified for an
   * https address, along `route` (from {@link route}). Fills `trace` as it goes. `started` is the
   * request's start, for timings. Aborting `signal` ends the connection and fails with its reason.
   */
  async connect(
    target: URL,
    route: ProxyRoute,
    signal: AbortSignal,
    trace: ConnectionTrace,
    started: number,
  ): Promise<net.Socket> {
    const { host, port } = socketAddress(target);
    trace.path = route.proxy ? 'proxy' : 'direct';
    trace.bypass = route.bypass;
    let socket: net.Socket;
    if (route.proxy) {
      trace.proxy = displayProxy(route.proxy);
      trace.proxySource = route.source;
      try {
        socket = await this.connectProxy(route.proxy, signal);
        // A proxy that hangs up on CONNECT or answers it with no end is the proxy's failure too.
        if (target.protocol === 'https:') await this.tunnel(socket, host, port, route, signal);
      } catch (error) {
        // Stop or a timeout is not the proxy's failure: the caller reports it as what it is.
        if (signal.aborted) throw error;
        throw proxyFailure(error, route.proxy);
      }
    } else {
      socket = net.connect({ host, port });
      await once(socket, 'connect', signal);
    }
    trace.connectedMs = performance.now() - started;
    socket.setNoDelay(true);
    if (target.protocol !== 'https:') return socket;
    // Through a proxy, http.proxyStrictSSL=false means certificates are not checked (as in VS Code).
    const skipVerify = route.proxy !== undefined && this.settings.proxyStrictSsl === false;
    const secure = await this.handshake(socket, host, signal, skipVerify);
    trace.secureMs = performance.now() - started;
    trace.tlsVersion = secure.getProtocol() ?? undefined;
    trace.certificate = summarizeCertificate(secure.getPeerCertificate());
    trace.verified = secure.authorized;
    return secure;
  }

  /**
   * The `Proxy-Authorization` header for `route`'s proxy: its URL's credentials, else
   * `http.proxyAuthorization`, which is VS Code's credential for `http.proxy` alone: a proxy from
   * `genos.proxy` or the environment never receives it.
   */
  proxyAuthorization(route: ProxyRoute): string | undefined {
    if (!route.proxy) return undefined;
    const own = proxyAuthorization(route.proxy);
    if (own) return own;
    return route.source === 'http.proxy' ? this.settings.proxyAuthorization?.trim() || undefined : undefined;
  }

  private async connectProxy(proxy: URL, signal: AbortSignal): Promise<net.Socket> {
    const { host, port } = socketAddress(proxy);
    const socket = net.connect({ host, port });
    await once(socket, 'connect', signal);
    if (proxy.protocol !== 'https:') return socket;
    const secure = tls.connect({
      socket,
      servername: net.isIP(host) ? undefined : host,
      rejectUnauthorized: this.settings.proxyStrictSsl !== false,
      secureContext: this.secureContext,
      ALPNProtocols: ['http/1.1'],
    });
    await once(secure, 'secureConnect', signal);
    return secure;
  }

  /** Asks the proxy for a tunnel to host:port (HTTP CONNECT). */
  private async tunnel(
    socket: net.Socket,
    host: string,
    port: number,
    route: ProxyRoute,
    signal: AbortSignal,
  ): Promise<void> {
    const authority = `${net.isIP(host) === 6 ? `[${host}]` : host}:${port}`;
    const auth = this.proxyAuthorization(route);
    socket.write(
      `CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n${auth ? `Proxy-Authorization: ${auth}\r\n` : ''}\r\n`,
    );
    const { status, rest } = await readHead(socket, signal);
    if (status === 200) {
      // Bytes after the head are the tunnel's first (unshifting none does nothing).
      socket.unshift(rest);
      return;
    }
    socket.destroy();
    const proxy = route.proxy as URL;
    // Only the proxy answers CONNECT, so a 401 here (tinyproxy's answer to wrong credentials) is about it too.
    if (status === 407 || status === 401) {
      throw new GenosError({
        kind: 'proxyAuth',
        status,
        detail: displayProxy(proxy),
        message: `The proxy ${displayProxy(proxy)} requires authentication (407).`,
      });
    }
    throw new GenosError({
      kind: 'network',
      networkReason: 'proxy',
      status,
      detail: `${displayProxy(proxy)} ${status || '?'}`,
      message: `The proxy ${displayProxy(proxy)} refused the tunnel to ${authority} (HTTP ${status || '?'}).`,
    });
  }

  /**
   * TLS to GenOS. The chain and host name are checked here, before the socket is used:
   * `allowSelfSigned` accepts a chain no trusted authority signed, but never a certificate for
   * another host or one out of its validity period.
   */
  private async handshake(
    socket: net.Socket,
    host: string,
    signal: AbortSignal,
    skipVerify: boolean,
  ): Promise<tls.TLSSocket> {
    const secure = tls.connect({
      socket,
      host,
      servername: net.isIP(host) ? undefined : host,
      rejectUnauthorized: false,
      secureContext: this.secureContext,
      ALPNProtocols: ['http/1.1'],
    });
    await once(secure, 'secureConnect', signal);
    if (secure.authorized || skipVerify) return secure;
    const code = String(secure.authorizationError ?? 'CERT_UNTRUSTED');
    const peer = secure.getPeerCertificate(true);
    const summary = summarizeCertificate(peer);
    if (this.settings.allowSelfSigned && ALLOWED_WHEN_SELF_SIGNED.has(tlsProblemOf(code))) {
      const identity = tls.checkServerIdentity(host, peer);
      const now = Date.now();
      const inPeriod = Date.parse(peer.valid_from) <= now && now <= Date.parse(peer.valid_to);
      if (!identity && inPeriod) return secure;
      secure.destroy();
      // checkServerIdentity fails only for a name the certificate does not hold.
      throw tlsError(
        identity
          ? 'ERR_TLS_CERT_ALTNAME_INVALID'
          : now < Date.parse(peer.valid_from)
            ? 'CERT_NOT_YET_VALID'
            : 'CERT_HAS_EXPIRED',
        summary,
        host,
      );
    }
    secure.destroy();
    throw tlsError(code, summary, host);
  }
}
