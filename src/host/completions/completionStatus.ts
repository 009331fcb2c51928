import * as vscode from 'vscode';
import { t } from '../base/l10n';

/** A step the status bar menu offers to mend a completion failure. */
export type CompletionFix = 'setToken' | 'useChatFormat' | 'openSettings' | 'showLog';

/** What completion is doing, as the status bar shows it. */
export type CompletionState =
  | { kind: 'off' }
  /** On in GenOS, but `editor.inlineSuggest.enabled` is off. */
  | { kind: 'editorOff' }
  | { kind: 'ready' }
  | { kind: 'asking' }
  /** `reason` is one line; `fixes` are what the menu offers. */
  | { kind: 'error'; reason: string; fixes: CompletionFix[] };

/** The status bar item of completion: its state at a glance, and a menu with the fix. */
export class CompletionStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('genos.completion', vscode.StatusBarAlignment.Right, 100);
  private current: CompletionState = { kind: 'off' };

  constructor() {
    this.item.name = t('GenOS Completions');
    this.item.command = 'genos.completionMenu';
    this.render();
    this.item.show();
  }

  get state(): CompletionState {
    return this.current;
  }

  set(state: CompletionState): void {
    if (JSON.stringify(state) === JSON.stringify(this.current)) return;
    this.current = state;
    this.render();
  }

  private render(): void {
    const state = this.current;
    const [icon, tooltip] = ((): [string, string] => {
      switch (state.kind) {
        case 'off':
          return ['circle-slash', t('GenOS completions are off. Click to turn them on.')];
        case 'editorOff':
          return [
            'circle-slash',
            t(
              'GenOS completions are on, but the editor shows no inline suggestions ("editor.inlineSuggest.enabled" is off).',
            ),
          ];
        case 'ready':
          return ['sparkle', t('GenOS completions are on: suggestions appear as you type.')];
        case 'asking':
          return ['loading~spin', t('GenOS is suggesting a completion…')];
        case 'error':
          return ['warning', t('GenOS completions: {0}', state.reason)];
      }
    })();
    this.item.text = `$(${icon}) GenOS`;
    this.item.tooltip = tooltip;
    const warning = state.kind === 'error' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.backgroundColor = warning;
  }

  dispose(): void {
    this.item.dispose();
  }
}
