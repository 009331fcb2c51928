/**
 * The entry's side of VS Code's own chat: where the editor has the Language Model Chat Provider
 * API (1.104+), GenOS models are registered under the `genos` vendor, and `@genos` is created where
 * the chat participant API exists. Both are stand-ins that load the core on first use; with
 * `genos.nativeChat.enabled` off, they list no model and load nothing. Older editors skip this.
 */
import * as vscode from 'vscode';
import { MODELS_LISTED } from '../base/entryKeys';
import type { ChatModelProvider, LmWithProviders } from './lmApi';
import { PARTICIPANT_ID, VENDOR } from './lmApi';

/** What the core provides to VS Code's chat. */
export interface NativeChatCore {
  models: Omit<ChatModelProvider, 'onDidChangeLanguageModelChatInformation'>;
  participant: vscode.ChatRequestHandler;
}

export const nativeChatEnabled = (): boolean =>
  vscode.workspace.getConfiguration('genos').get<boolean>('nativeChat.enabled') !== false;

/**
 * Registers the stand-ins. `changed` is fired when the models may differ (settings, token, the
 * switch); `load` loads the core. Returns nothing to dispose when the editor lacks both APIs.
 */
export function registerNativeChat(
  context: vscode.ExtensionContext,
  changed: vscode.EventEmitter<void>,
  load: () => NativeChatCore,
): void {
  const lm = vscode.lm as unknown as Partial<LmWithProviders> | undefined;
  if (typeof lm?.registerLanguageModelChatProvider === 'function') {
    context.subscriptions.push(
      lm.registerLanguageModelChatProvider(VENDOR, {
        onDidChangeLanguageModelChatInformation: changed.event,
        provideLanguageModelChatInformation: (options, token) =>
          nativeChatEnabled() ? load().models.provideLanguageModelChatInformation(options, token) : [],
        provideLanguageModelChatResponse: (model, messages, options, progress, token) =>
          load().models.provideLanguageModelChatResponse(model, messages, options, progress, token),
        provideTokenCount: (model, text, token) => load().models.provideTokenCount(model, text, token),
      }),
    );
    // After a reload nothing asks for the models again: where they were listed before (or a GenOS
    // codespace provides the serving), say they changed, and the chat asks for them now.
    if (nativeChatEnabled() && (context.globalState.get(MODELS_LISTED) === true || !!process.env.GENOS_SERVING_URL)) {
      setTimeout(() => changed.fire(), 0);
    }
  }
  if (typeof vscode.chat?.createChatParticipant === 'function') {
    const participant = vscode.chat.createChatParticipant(PARTICIPANT_ID, (request, chatContext, response, token) => {
      if (!nativeChatEnabled()) {
        response.markdown(
          vscode.l10n.t(
            'GenOS in VS Code\'s chat is turned off ("GenOS: Native Chat Enabled"). Turn it on, or use the GenOS panel.',
          ),
        );
        return {};
      }
      return load().participant(request, chatContext, response, token);
    });
    participant.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media/icon.png');
    context.subscriptions.push(participant);
  }
  context.subscriptions.push(
    changed,
    vscode.workspace.onDidChangeConfiguration((event) => {
      // VS Code's proxy and certificate settings too: one may be what a failed listing needed.
      if (event.affectsConfiguration('genos') || event.affectsConfiguration('http')) changed.fire();
    }),
  );
}
