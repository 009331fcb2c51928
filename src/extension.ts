/**
 * The extension's entry: what activation needs and nothing more. It stands in for the commands
 * and the chat view, and loads the core (dist/core.js: the client, network, prompts, the panel's
 * host side) on first use, so starting the editor costs a few registrations, not the whole
 * extension. With completions turned on, it loads right after activation instead. The first
 * start's walkthrough is offered from here, and GenOS models and `@genos` are registered in
 * VS Code's own chat where the editor has it.
 */
import * as vscode from 'vscode';
import type * as CoreModule from './core';
import { HIDDEN_COMMANDS } from './host/base/entryKeys';
import { registerNativeChat } from './host/nativeChat/nativeChatEntry';
import { offerWalkthrough } from './host/connection/walkthrough';

/** How long activate() and loading the core took, for the benchmark (not an API). */
export const timing = { activateMs: 0, coreMs: Number.NaN };

const VIEW_TYPE = 'genos.chatView';

export function activate(context: vscode.ExtensionContext): void {
  const started = performance.now();
  let core: CoreModule.Core | undefined;
  const standIns: vscode.Disposable[] = [];
  // Fired when GenOS's models in VS Code's chat may have changed (settings, token).
  const modelsChanged = new vscode.EventEmitter<void>();

  const load = (): CoreModule.Core => {
    if (!core) {
      // The core registers the real commands under the same ids: the stand-ins go first.
      for (const standIn of standIns.splice(0)) standIn.dispose();
      const loading = performance.now();
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, a bundle of its own (esbuild.js)
      core = (require('./core.js') as typeof CoreModule).start(context, () => modelsChanged.fire());
      timing.coreMs = performance.now() - loading;
    }
    return core;
  };

  const manifest = context.extension.packageJSON as { contributes?: { commands?: Array<{ command: string }> } };
  const ids = [...(manifest.contributes?.commands ?? []).map((c) => c.command), ...HIDDEN_COMMANDS];
  for (const id of ids) {
    standIns.push(
      vscode.commands.registerCommand(id, (...args: unknown[]) => {
        load();
        return vscode.commands.executeCommand(id, ...args);
      }),
    );
  }

  // User settings only, as the core reads it: a repository cannot turn completion on.
  const completionsOn = () =>
    vscode.workspace.getConfiguration('genos').inspect<boolean>('completion.enabled')?.globalValue === true;
  if (completionsOn()) setTimeout(() => load(), 0);
  offerWalkthrough(context.globalState);
  registerNativeChat(context, modelsChanged, () => load().nativeChat);

  context.subscriptions.push(
    { dispose: () => standIns.splice(0).forEach((standIn) => standIn.dispose()) },
    vscode.window.registerWebviewViewProvider(VIEW_TYPE, {
      resolveWebviewView: (view) => load().view.resolveWebviewView(view),
    }),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (!core && event.affectsConfiguration('genos.completion.enabled') && completionsOn()) load();
    }),
  );
  timing.activateMs = performance.now() - started;
}

export function deactivate(): void {
  // Everything is owned by context.subscriptions.
}
