import * as vscode from 'vscode';
import { t } from './l10n';

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
    this.item.backgroundColor = undefined;
    switch (state.kind) {
      case 'off':
        this.item.text = '$(circle-slash) GenOS';
        this.item.tooltip = t('GenOS completions are off. Click to turn them on.');
        return;
      case 'editorOff':
        this.item.text = '$(circle-slash) GenOS';
        this.item.tooltip = t(
          'GenOS completions are on, but the editor shows no inline suggestions ("editor.inlineSuggest.enabled" is off).',
        );
        return;
      case 'ready':
        this.item.text = '$(sparkle) GenOS';
        this.item.tooltip = t('GenOS completions are on: suggestions appear as you type.');
        return;
      case 'asking':
        this.item.text = '$(loading~spin) GenOS';
        this.item.tooltip = t('GenOS is suggesting a completion…');
        return;
      case 'error':
        this.item.text = '$(warning) GenOS';
        this.item.tooltip = t('GenOS completions: {0}', state.reason);
        this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
        return;
    }
  }

  dispose(): void {
    this.item.dispose();
  }
}
