import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { buildEndpoint, isInsecureRemote } from '../client/endpoint';
import { configError, GenosError } from '../client/errors';
import { GenosClient, type ClientConfig } from '../client/genosClient';
import { NetworkPath } from '../client/network';
import { displayProxy } from '../client/proxy';
import { normalizeToken } from '../client/token';
import { t } from './l10n';
import type { Log } from './log';
import { connectionSettings, networkConfig, openSettings, requestSettings } from './settings';
import { provisionedServing, type ProvisionedServing } from './provisioned';
import type { TokenStore } from './tokenStore';

/** A client ready to send, with the endpoint it talks to. */
export interface Connection {
  client: GenosClient;
  endpoint: URL;
  /** The token is the provisioned key from the environment, not one the user stored. */
  tokenFromEnvironment?: boolean;
}

const ALLOWED_CLEAR_TEXT = 'genos.allowedClearTextOrigins';
/** For a serving that does not say its window, when `genos.contextWindow` is not set either. */
export const DEFAULT_CONTEXT_WINDOW = 8192;

/** Builds clients from the user's settings and stored token; asks for what is missing. */
export class ConnectionManager {
  private readonly clearTextThisSession = new Set<string>();
  private readonly defaultModels = new Map<string, string>();
  /** Context windows by endpoint and model: what the server listed, or what a refusal said. */
  private readonly windows = new Map<string, number>();
  /** Endpoints whose models were listed, so a serving that reports no window is asked once. */
  private readonly listed = new Set<string>();
  private network?: { key: string; path: NetworkPath };
  private selfSignedWarned = false;

  private readonly announced = new Set<string>();

  constructor(
    private readonly state: vscode.Memento,
    private readonly tokens: TokenStore,
    private readonly log: Log,
    /** A serving provisioned in the environment (a GenOS codespace); read once at activation. */
    readonly provisioned: ProvisionedServing | undefined = provisionedServing(),
  ) {}

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
    this.defaultModels.clear();
    this.windows.clear();
    this.listed.clear();
  }

  /**
   * Asks for a token in a password box and stores it for `endpoint`. Resolves with the token, or
   * undefined when the user cancelled.
   */
  async promptForToken(endpoint: URL, offered?: string): Promise<string | undefined> {
    const entered = await vscode.window.showInputBox({
      title: t('GenOS: Set Access Token'),
      // A token handed in by a link or another extension is only a suggestion: the user confirms it.
      value: offered,
      // In a browser the editor keeps secrets in the browser's own storage: say so, and how a codespace avoids it.
      prompt:
        offered !== undefined
          ? t(
              'A link or another extension offers this access token for {0}. Press Enter to save it in place of yours, or Escape to keep yours.',
              endpoint.href,
            )
          : vscode.env.uiKind === vscode.UIKind.Web
            ? t(
                "Access token for {0}. This editor runs in a browser, so the token is kept in this browser's storage: another browser, or clearing site data, asks again. In a GenOS codespace, GENOS_SERVING_API_KEY provides it with no prompt.",
                endpoint.href,
              )
            : t('Access token for {0}', endpoint.href),
      placeHolder: t('Paste the access token issued in GenOS'),
      password: true,
      ignoreFocusOut: true,
      validateInput: (value) =>
        value.trim() === '' || normalizeToken(value)
          ? undefined
          : t('The token contains spaces or characters that cannot be sent.'),
    });
    const token = entered === undefined ? undefined : normalizeToken(entered);
    if (!token) return undefined;
    await this.tokens.set(endpoint, token);
    this.log.info(`access token stored for ${endpoint.href}`);
    return token;
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

  /** The model to ask: the one chosen, or the first the serving lists (remembered per endpoint). */
  async model(connection: Connection, signal?: AbortSignal, chosen = requestSettings().model): Promise<string> {
    if (chosen) return chosen;
    if (this.provisioned?.model && this.provisioned.endpoint.href === connection.endpoint.href) {
      return this.provisioned.model;
    }
    const known = this.defaultModels.get(connection.endpoint.href);
    if (known) return known;
    const models = await this.listModels(connection, signal);
    if (models.length === 0) throw configError('noModels', 'The serving lists no models.');
    this.defaultModels.set(connection.endpoint.href, models[0]);
    return models[0];
  }

  /** The serving's models; remembers the context window of each that states one. */
  async listModels(connection: Connection, signal?: AbortSignal): Promise<string[]> {
    const { info } = await connection.client.probe(signal);
    this.listed.add(connection.endpoint.href);
    for (const model of info) {
      if (model.maxModelLen) this.windows.set(`${connection.endpoint.href} ${model.id}`, model.maxModelLen);
    }
    return info.map((model) => model.id);
  }

  /**
   * The model's context window in tokens: what the server reports (its `max_model_len`, or the
   * limit a refusal named), else `genos.contextWindow`, else a conservative default.
   */
  async contextWindow(connection: Connection, model: string, signal?: AbortSignal): Promise<number> {
    const key = `${connection.endpoint.href} ${model}`;
    if (!this.windows.has(key) && !this.listed.has(connection.endpoint.href)) {
      await this.listModels(connection, signal).catch((error: unknown) => {
        if (signal?.aborted) throw error;
      });
    }
    return this.windows.get(key) ?? requestSettings().contextWindow ?? DEFAULT_CONTEXT_WINDOW;
  }

  /** Records the window a server named when it refused a request as too long. */
  learnWindow(connection: Connection, model: string, window: number): void {
    this.windows.set(`${connection.endpoint.href} ${model}`, window);
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
      const open = t('Open Settings');
      void Promise.resolve(
        vscode.window.showWarningMessage(
          t(
            '"genos.tls.allowSelfSigned" is on: a GenOS certificate that no trusted authority signed is accepted, so someone able to intercept the connection could read your token and code. Prefer "genos.tls.caFile" with the server\'s certificate.',
          ),
          open,
        ),
      ).then(
        (choice) => (choice === open ? openSettings() : undefined),
        () => undefined,
      );
    }
    return this.network.path;
  }

  private async confirmClearText(endpoint: URL, interactive: boolean): Promise<void> {
    if (!isInsecureRemote(endpoint)) return;
    const origin = endpoint.origin;
    const always = this.state.get<string[]>(ALLOWED_CLEAR_TEXT, []);
    if (this.clearTextThisSession.has(origin) || always.includes(origin)) return;
    const sendOnce = t('Send Anyway');
    const sendAlways = t('Always for This Address');
    // A dialog that cannot be shown (the editor refuses dialogs while tests run) counts as a no.
    const choice = interactive
      ? await Promise.resolve(
          vscode.window.showWarningMessage(
            t(
              'The GenOS address {0} uses plain http, so the access token and your code would cross the network unencrypted. Use https:// if the server offers it.',
              origin,
            ),
            { modal: true },
            sendOnce,
            sendAlways,
          ),
        ).catch(() => undefined)
      : undefined;
    if (choice === sendAlways) await this.state.update(ALLOWED_CLEAR_TEXT, [...always, origin]);
    if (choice === sendOnce || choice === sendAlways) {
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
