import * as vscode from 'vscode';
import { connectionReport } from '../../client/connectionReport';
import { describeError, english } from '../../client/errorMessages';
import type { ConnectionTrace } from '../../client/network';
import { withProgress } from '../base/interaction';
import type { ConnectionManager } from './connectionManager';
import { asGenosError, showError } from './errorUi';
import { t } from '../base/l10n';
import type { Log } from '../base/log';
import type { TokenStore } from './tokenStore';

/** What `genos.testConnection` resolves with, for callers and tests. */
export interface TestConnectionResult {
  ok: boolean;
  models: string[];
  /** The user-facing outcome, as shown. */
  message: string;
  errorKind?: string;
  elapsedMs: number;
  /** How the connection was made (path, proxy, TLS version, certificate), when it was made. */
  trace?: ConnectionTrace;
  /** The timing line of the report. */
  steps?: string;
  /** Where the address, token and model came from. */
  sources?: ReturnType<ConnectionManager['sources']>;
}

/** Commands that set up the connection: token, test, log. */
export function registerConnectionCommands(
  connections: ConnectionManager,
  tokens: TokenStore,
  log: Log,
): vscode.Disposable[] {
  /** The endpoint the settings form; when they cannot, says what is missing. */
  const configuredEndpoint = async (): Promise<URL | undefined> => {
    try {
      return connections.endpoint();
    } catch (error) {
      await showError(error, log);
      return undefined;
    }
  };

  const setToken = async (token?: unknown): Promise<boolean> => {
    const endpoint = await configuredEndpoint();
    if (!endpoint) return false;
    // A token passed as an argument (a command: link, another extension) is never stored without
    // asking: it fills the password box, and only the user's Enter saves it.
    if (!(await connections.promptForToken(endpoint, typeof token === 'string' ? token : undefined))) return false;
    void vscode.window.showInformationMessage(t('Access token saved for {0}.', endpoint.href));
    return true;
  };

  const clearToken = async (): Promise<boolean> => {
    const endpoint = await configuredEndpoint();
    if (!endpoint) return false;
    await tokens.delete(endpoint);
    log.info(`access token removed for ${endpoint.href}`);
    void vscode.window.showInformationMessage(t('Access token removed for {0}.', endpoint.href));
    return true;
  };

  const testConnection = async (): Promise<TestConnectionResult> => {
    const started = Date.now();
    try {
      const { probe, sources } = await withProgress(t('Testing the GenOS connection…'), (token) =>
        connections.withConnection({ token }, async (connection, signal) => ({
          probe: await connection.client.probe(signal),
          sources: connections.sources(connection.endpoint, connection.tokenFromEnvironment === true),
        })),
      );
      const origin =
        sources.address === 'environment'
          ? ` ${t('The address and key come from the environment (GENOS_SERVING_URL, GENOS_SERVING_API_KEY){0}.', sources.model === 'environment' ? t(', the model from GENOS_SERVING_MODEL_ID') : '')}`
          : sources.token === 'environment'
            ? ` ${t('The key comes from the environment (GENOS_SERVING_API_KEY).')}`
            : '';
      const report = connectionReport(probe, t);
      const summary = report.summary + origin;
      for (const line of connectionReport(probe, english).details) log.info(`test connection: ${line}`);
      log.info(
        `test connection: address from ${sources.address}, token ${sources.token === 'environment' ? 'from the environment' : 'stored'}, model from ${sources.model}`,
      );
      void vscode.window.showInformationMessage(summary);
      return {
        ok: true,
        models: probe.models,
        message: summary,
        elapsedMs: Date.now() - started,
        trace: probe.trace,
        steps: report.details[1],
        sources,
      };
    } catch (error) {
      const failure = asGenosError(error, log);
      const message = describeError(failure, t);
      void showError(failure, log, () => vscode.commands.executeCommand('genos.testConnection'));
      return { ok: false, models: [], message, errorKind: failure.kind, elapsedMs: Date.now() - started };
    }
  };

  return [
    vscode.commands.registerCommand('genos.setToken', setToken),
    vscode.commands.registerCommand('genos.clearToken', clearToken),
    vscode.commands.registerCommand('genos.testConnection', testConnection),
    vscode.commands.registerCommand('genos.showLog', () => log.show()),
  ];
}
