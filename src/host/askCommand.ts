import * as vscode from 'vscode';
import type { ChatController, TurnOutcome } from './chatController';
import type { ChatViewProvider } from './chatView';
import { t } from './l10n';

/**
 * Runs a chat turn from outside the panel with a cancellable progress notification; Cancel stops
 * the request, which closes its connection.
 */
export async function withTurnProgress(title: string, chat: ChatController, run: () => Promise<TurnOutcome | undefined>): Promise<TurnOutcome | undefined> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (_progress, cancellation) => {
    const subscription = cancellation.onCancellationRequested(() => chat.stop());
    try {
      return await run();
    } finally {
      subscription.dispose();
    }
  });
}

/**
 * `genos.ask`: a question from the command palette (or passed by another command), answered as a
 * new turn in the chat panel, with the selection attached when there is one.
 */
export function registerAskCommand(chat: ChatController, view: ChatViewProvider): vscode.Disposable {
  let unsent = '';
  return vscode.commands.registerCommand('genos.ask', async (question?: unknown): Promise<TurnOutcome | undefined> => {
    const text =
      typeof question === 'string'
        ? question
        : await vscode.window.showInputBox({
            title: t('GenOS: Ask'),
            prompt: t('Ask a question; the answer appears in the GenOS chat panel.'),
            placeHolder: t('For example: how do I read a file line by line in Python?'),
            value: unsent,
            ignoreFocusOut: true,
          });
    if (!text?.trim()) return undefined;
    unsent = text;
    const editor = vscode.window.activeTextEditor;
    if (editor && !editor.selection.isEmpty) chat.attachSelection();
    await view.reveal();
    const outcome = await withTurnProgress(t('GenOS is answering…'), chat, () => chat.ask(text));
    if (outcome?.requestId) {
      unsent = '';
    } else {
      // Not sent (for example, nothing is configured yet): the question waits in the panel.
      view.post({ type: 'prefill', text });
    }
    return outcome;
  });
}
