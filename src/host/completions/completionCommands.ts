import * as vscode from 'vscode';
import type { ConnectionManager } from '../connection/connectionManager';
import { CompletionStatus, type CompletionFix, type CompletionState } from './completionStatus';
import { COMPLETION_STATE_COMMAND } from '../base/entryKeys';
import { showError } from '../connection/errorUi';
import { InlineCompletions } from './inlineCompletions';
import { t } from '../base/l10n';
import type { Log } from '../base/log';
import { completionSettings, setCompletionEnabled } from '../connection/settings';

/** Files on disk and untitled files; not output panes, diffs of proposals or other virtual documents. */
const SELECTOR: vscode.DocumentSelector = [{ scheme: 'file' }, { scheme: 'untitled' }];

/**
 * Inline completion: the provider, its status bar item, and the commands to turn it on and off
 * and to mend what stops it. Returns what to dispose and the provider (for tests and the bench).
 */
export function registerCompletions(
  connections: ConnectionManager,
  log: Log,
): { disposables: vscode.Disposable[]; provider: InlineCompletions; status: CompletionStatus } {
  const status = new CompletionStatus();
  const provider = new InlineCompletions(connections, log, status);

  const toggle = async (): Promise<boolean> => {
    const enabled = !completionSettings().enabled;
    await setCompletionEnabled(enabled);
    provider.reset();
    return enabled;
  };

  const setToken = async (): Promise<void> => {
    let endpoint: URL;
    try {
      endpoint = connections.endpoint(completionSettings().servingId || undefined);
    } catch (error) {
      await showError(error, log);
      return;
    }
    if (await connections.promptForToken(endpoint)) provider.reset();
  };

  const fix = async (action: CompletionFix): Promise<void> => {
    switch (action) {
      case 'setToken':
        return setToken();
      case 'useChatFormat':
        await vscode.workspace
          .getConfiguration('genos')
          .update('completion.promptFormat', 'chat', vscode.ConfigurationTarget.Global);
        provider.reset();
        return;
      case 'openSettings':
        await vscode.commands.executeCommand('workbench.action.openSettings', 'genos.completion');
        return;
      case 'showLog':
        log.show();
        return;
    }
  };

  const menu = async (): Promise<void> => {
    const state = status.state;
    type Item = vscode.QuickPickItem & { run: () => Promise<unknown> };
    const items: Item[] = [
      completionSettings().enabled
        ? { label: `$(circle-slash) ${t('Turn Off GenOS Completions')}`, run: toggle }
        : { label: `$(sparkle) ${t('Turn On GenOS Completions')}`, run: toggle },
    ];
    if (state.kind === 'error') {
      const labels: Record<CompletionFix, string> = {
        setToken: t('Set Access Token'),
        useChatFormat: t('Use the Chat Format for Completions'),
        openSettings: t('Open Completion Settings'),
        showLog: t('Show Log'),
      };
      for (const action of state.fixes) items.push({ label: labels[action], run: () => fix(action) });
    } else {
      items.push({ label: t('Open Completion Settings'), run: () => fix('openSettings') });
    }
    const picked = await vscode.window.showQuickPick(items, {
      title: t('GenOS Completions'),
      placeHolder: state.kind === 'error' ? state.reason : undefined,
    });
    await picked?.run();
  };

  return {
    provider,
    status,
    disposables: [
      status,
      provider,
      vscode.languages.registerInlineCompletionItemProvider(SELECTOR, provider),
      vscode.commands.registerCommand('genos.toggleCompletions', toggle),
      vscode.commands.registerCommand('genos.completionMenu', menu),
      // For tests and the benchmark: what the status bar shows, and the requests made.
      vscode.commands.registerCommand(COMPLETION_STATE_COMMAND, (): CompletionState & { requests: number } => ({
        ...status.state,
        requests: provider.stats?.requests ?? 0,
      })),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (
          event.affectsConfiguration('genos') ||
          event.affectsConfiguration('http') ||
          event.affectsConfiguration('editor.inlineSuggest.enabled')
        ) {
          provider.reset();
        }
      }),
    ],
  };
}
