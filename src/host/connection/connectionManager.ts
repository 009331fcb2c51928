import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { buildEndpoint, isInsecureRemote } from '../../client/endpoint';
import { configError, GenosError } from '../../client/errors';
import { GenosClient, type ClientConfig } from '../../client/genosClient';
import { NetworkPath } from '../../client/network';
import { displayProxy } from '../../client/proxy';
import { normalizeToken } from '../../client/token';
import type { Log } from '../base/log';
import { linkAbort, type Cancellation } from './cancellation';
import { askClearText, askToken, warnSelfSigned } from './connectionDialogs';
import { asGenosError } from './errorUi';
import { ServingCache } from './servingCache';
import { connectionSettings, networkConfig, requestSettings } from './settings';
import { provisionedServing, type ProvisionedServing } from './provisioned';
import type { TokenStore } from './tokenStore';

/** A client ready to send, with the endpoint it talks to. */
export interface Connection {
  client: GenosClient;
  endpoint: URL;
  /** The token is the provisioned key from the environment, not one the user stored. */
  tokenFromEnvironment?: boolean;
}

/** How to connect: who may stop it, whether to ask the user, and which serving. */
export interface ConnectOptions extends Cancellation {
  /** Ask the user for a missing token (and plain-http consent); otherwise fail. Default: true. */
  interactive?: boolean;
  /** Another serving at the same GenOS address (completions may have their own). */
  servingId?: string;
  /** How often to retry; completions do not, since a later keystroke asks again anyway. */
  retry?: ClientConfig['retry'];
  /** A connection made before with the same settings, to use instead of connecting again. */
  reuse?: Connection;
}

const ALLOWED_CLEAR_TEXT = 'genos.allowedClearTextOrigins';

/** Builds clients from the user's settings and stored token; asks for what is missing. */
export class ConnectionManager {
  private readonly clearTextThisSession = new Set<string>();
  private network?: { key: string; path: NetworkPath };
  private selfSignedWarned = false;

  private readonly announced = new Set<string>();

  constructor(
    private readonly state: vscode.Memento,
    private readonly tokens: TokenStore,
    private readonly log: Log,
    /** A serving provisioned in the environment (a GenOS codespace); read once at activation. */
    readonly provisioned: ProvisionedServing | undefined = provisionedServing(),
  ) {
    this.servings = new ServingCache(provisioned);
  }

  /** What was learned from the servings: default models, context windows. */
  readonly servings: ServingCache;

  /**
   * The configured endpoint, or that of another serving at the same GenOS address; throws a
   * `config` GenosError when the settings cannot form one.
   */
  endpoint(servingId?: string): URL {
    const { baseUrl, servingId: chatServing } = this.address();
    if (!servingId) return buildEndpoint(baseUrl, chatServing);
    // A base URL pasted with a serving path names the chat serving; the other one replaces it.
    return buildEndpoint(baseUrl.trim().replace(/\/api\/gateway\/rep\/serving\/[^/]+(?:\/v1)?\/*$/, ''), servingId);
  }

  /**
   * The GenOS address and serving: the user's settings, or else the serving a GenOS codespace
   * provisions in the environment. A user setting always wins.
   */
  private address(): { baseUrl: string; servingId: string } {
    const settings = connectionSettings();
    if (settings.baseUrl.trim() || settings.servingId.trim()) return settings;
    return this.provisioned ? { baseUrl: this.provisioned.url, servingId: '' } : settings;
  }

  /** Where each part of the connection comes from, for Test Connection and the log. */
  sources(
    endpoint: URL,
    tokenFromEnvironment: boolean,
  ): {
    address: 'settings' | 'environment';
    token: 'stored' | 'environment';
    model: 'settings' | 'environment' | 'serving';
  } {
    const settings = connectionSettings();
    const fromEnvironment =
      !settings.baseUrl.trim() && !settings.servingId.trim() && this.provisioned?.endpoint.href === endpoint.href;
    return {
      address: fromEnvironment ? 'environment' : 'settings',
      token: tokenFromEnvironment ? 'environment' : 'stored',
      model: requestSettings().model
        ? 'settings'
        : this.provisioned?.model && this.provisioned.endpoint.href === endpoint.href
          ? 'environment'
          : 'serving',
    };
  }

  /** The token for `endpoint`: the one the user stored, else a provisioned key for exactly that endpoint. */
  private async token(endpoint: URL): Promise<{ token?: string; fromEnvironment: boolean }> {
    const stored = await this.tokens.get(endpoint);
    if (stored) return { token: stored, fromEnvironment: false };
    if (this.provisioned?.key && this.provisioned.endpoint.href === endpoint.href) {
      return { token: this.provisioned.key, fromEnvironment: true };
    }
    return { fromEnvironment: false };
  }

  /** Forgets what was learned from the server (the default model), after settings change. */
  reset(): void {
    this.servings.clear();
  }

  /**
   * Asks for a token in a password box and stores it for `endpoint`. Resolves with the token, or
   * undefined when the user cancelled.
   */
  async promptForToken(endpoint: URL, offered?: string): Promise<string | undefined> {
    const entered = await askToken(endpoint, offered);
    const token = entered === undefined ? undefined : normalizeToken(entered);
    if (!token) return undefined;
    await this.tokens.set(endpoint, token);
    this.log.info(`access token stored for ${endpoint.href}`);
    return token;
  }

  /**
   * Connects and hands the connection to `work` with one abort signal that any of the cancellation
   * sources fires. Every failure comes out as a GenosError.
   */
  async withConnection<T>(
    options: ConnectOptions,
    work: (connection: Connection, signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const abort = linkAbort(options);
    try {
      const connection = options.reuse ?? (await this.connect(options.interactive ?? true, options));
      return await work(connection, abort.signal);
    } catch (error) {
      throw asGenosError(error, this.log);
    } finally {
      abort.dispose();
    }
  }

  /**
   * A client for the configured serving. With `interactive`, asks for a missing token and for
   * consent before a token travels over plain http to another machine; otherwise throws.
   */
  async connect(
    interactive: boolean,
    options: { servingId?: string; retry?: ClientConfig['retry'] } = {},
  ): Promise<Connection> {
    const endpoint = this.endpoint(options.servingId);
    const found = await this.token(endpoint);
    let token = found.token;
    if (found.fromEnvironment && !this.announced.has(endpoint.href)) {
      this.announced.add(endpoint.href);
      this.log.info(
        `using the GenOS serving ${endpoint.href} and its key from the environment (GENOS_SERVING_URL, GENOS_SERVING_API_KEY)`,
      );
    }
    if (!token && interactive) token = await this.promptForToken(endpoint);
    if (!token && this.provisioned && !this.provisioned.key && this.provisioned.endpoint.href === endpoint.href) {
      throw new GenosError({
        kind: 'config',
        configProblem: 'missingToken',
        detail: 'environmentKey',
        message: 'GENOS_SERVING_URL is set but GENOS_SERVING_API_KEY is not.',
      });
    }
    if (!token) throw configError('missingToken', 'No access token is stored for this serving.');
    await this.confirmClearText(endpoint, interactive);
    const network = await this.networkPath(endpoint);
    const settings = connectionSettings();
    return {
      endpoint,
      tokenFromEnvironment: found.fromEnvironment,
      client: new GenosClient({
        endpoint,
        token,
        userId: settings.userId || undefined,
        timeoutMs: requestSettings().timeoutSeconds * 1000,
        log: this.log,
        network,
        retry: options.retry,
      }),
    };
  }

  /**
   * The certificate and proxy settings as one network path, rebuilt only when they (or the CA
   * file's contents) change. Warns once per session while self-signed certificates are accepted.
   */
  private async networkPath(endpoint: URL): Promise<NetworkPath> {
    const config = networkConfig();
    const caPem = config.caFile ? await readCaFile(config.caFile) : undefined;
    const key = JSON.stringify({ ...config, caPem, endpoint: endpoint.origin });
    if (this.network?.key !== key) {
      const networkPath = new NetworkPath({ ...config, caPem, env: process.env });
      this.network = { key, path: networkPath };
      this.log.info(`route to ${endpoint.origin}: ${describeRoute(networkPath, endpoint)}`);
      if (config.caFile) this.log.info(`trusting the certificates in ${config.caFile} in addition to the default set`);
      if (!config.proxyStrictSsl) {
        this.log.warn('http.proxyStrictSSL is off: certificates of connections through a proxy are not verified');
      }
    }
    if (config.allowSelfSigned && !this.selfSignedWarned) {
      this.selfSignedWarned = true;
      this.log.warn(
        'genos.tls.allowSelfSigned is on: GenOS certificates no trusted authority signed are accepted (host name and dates are still checked)',
      );
      warnSelfSigned();
    }
    return this.network.path;
  }

  private async confirmClearText(endpoint: URL, interactive: boolean): Promise<void> {
    if (!isInsecureRemote(endpoint)) return;
    const origin = endpoint.origin;
    const always = this.state.get<string[]>(ALLOWED_CLEAR_TEXT, []);
    if (this.clearTextThisSession.has(origin) || always.includes(origin)) return;
    // A dialog that cannot be shown (the editor refuses dialogs while tests run) counts as a no.
    const choice = interactive ? await askClearText(origin) : undefined;
    if (choice === 'always') await this.state.update(ALLOWED_CLEAR_TEXT, [...always, origin]);
    if (choice === 'once' || choice === 'always') {
      this.clearTextThisSession.add(origin);
      this.log.warn(`sending the token over plain http to ${origin}, as the user allowed`);
      return;
    }
    throw configError('clearTextRefused', 'Sending the token over plain http was not allowed.');
  }
}

/** How requests to `endpoint` travel, for the log; proxy credentials are left out. */
function describeRoute(network: NetworkPath, endpoint: URL): string {
  const route = network.route(endpoint);
  if (route.proxy) return `through the proxy ${displayProxy(route.proxy)} (from ${route.source})`;
  if (network.usesDefault(endpoint)) {
    return `VS Code's network stack${route.bypass ? ` (proxy bypassed: ${route.bypass})` : ''}`;
  }
  return `direct${route.bypass ? ` (proxy bypassed: ${route.bypass})` : ''}`;
}

/** Reads `genos.tls.caFile`; `~` is the home folder, and the path must be absolute. */
async function readCaFile(file: string): Promise<string> {
  const expanded =
    file === '~' || file.startsWith('~/') || file.startsWith('~\\') ? path.join(os.homedir(), file.slice(1)) : file;
  if (!path.isAbsolute(expanded)) throw configError('caFileUnreadable', 'genos.tls.caFile is not an absolute path.');
  try {
    return await fs.readFile(expanded, 'utf8');
  } catch (error) {
    throw configError(
      'caFileUnreadable',
      `genos.tls.caFile cannot be read: ${(error as NodeJS.ErrnoException).code ?? 'error'}.`,
    );
  }
}
