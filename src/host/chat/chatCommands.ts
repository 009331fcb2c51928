import * as vscode from 'vscode';
import type { ChatController } from './chatController';
import type { RequestOutcome } from '../requests/requestPath';
import type { ChatViewProvider } from './chatView';
import { showError } from '../connection/errorUi';
import { givenOrAsked, withProgress } from '../base/interaction';
import { t } from '../base/l10n';
import type { Log } from '../base/log';
import { saveModel } from '../connection/settings';
import type { ConnectionManager } from '../connection/connectionManager';

/** Lets the user choose the model from the serving's list; saves it in user settings. */
async function pickModel(connections: ConnectionManager, chat: ChatController): Promise<string | undefined> {
  const models = await connections.withConnection({}, (connection, signal) =>
    connections.servings.listModels(connection, signal),
  );
  const current = chat.model;
  const picked = await vscode.window.showQuickPick(
    models.map((id) => ({ label: id, description: id === current ? t('current') : undefined })),
    { title: t('GenOS: Select Model'), placeHolder: t('Choose the model to ask') },
  );
  if (!picked) return undefined;
  await saveModel(picked.label);
  chat.setModel(picked.label, true);
  return picked.label;
}

/**
 * The chat's commands: open, new, history, stop, model choice, and `genos.ask`, a question from
 * the command palette (or passed by another command) answered as a new turn in the panel, with
 * the selection attached when there is one.
 */
export function registerChatCommands(
  chat: ChatController,
  view: ChatViewProvider,
  connections: ConnectionManager,
  log: Log,
  stopOthers: () => void,
): vscode.Disposable[] {
  let unsent = '';
  const ask = async (question?: unknown): Promise<RequestOutcome | undefined> => {
    const text = await givenOrAsked(question, {
      title: t('GenOS: Ask'),
      prompt: t('Ask a question; the answer appears in the GenOS chat panel.'),
      placeHolder: t('For example: how do I read a file line by line in Python?'),
      value: unsent,
    });
    if (!text?.trim()) return undefined;
    unsent = text;
    if (vscode.window.activeTextEditor?.selection.isEmpty === false) chat.attachments.attachSelection();
    await view.reveal();
    const outcome = await withProgress(t('GenOS is answering…'), (cancellation) => chat.ask(text, { cancellation }));
    if (outcome?.requestId) {
      unsent = '';
    } else {
      // Not sent (for example, nothing is configured yet): the question waits in the panel.
      view.post({ type: 'prefill', text });
    }
    return outcome;
  };

  return [
    vscode.commands.registerCommand('genos.openChat', () => view.reveal()),
    vscode.commands.registerCommand('genos.newChat', async () => {
      await view.reveal();
      await chat.newChat();
    }),
    vscode.commands.registerCommand('genos.showHistory', async () => {
      await view.reveal();
      await chat.showHistory();
    }),
    vscode.commands.registerCommand('genos.stop', () => {
      chat.stop();
      stopOthers();
    }),
    vscode.commands.registerCommand('genos.ask', ask),
    vscode.commands.registerCommand('genos.selectModel', async () => {
      try {
        return await pickModel(connections, chat);
      } catch (error) {
        await showError(error, log);
        return undefined;
      }
    }),
  ];
}
