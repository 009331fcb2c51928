import * as path from 'node:path';
import * as vscode from 'vscode';
import { rulesFor } from '../context/rules';
import { extractCode, rewriteQuestion, selectionContext } from '../../client/prompts';
import { givenOrAsked } from '../base/interaction';
import { t } from '../base/l10n';
import { readSelection, selectedEditor } from '../context/selection';
import { replyOf, type RequestOutcome } from '../requests/requestPath';
import type { EditorRequests } from './editorRequests';

const REWRITE_SCHEME = 'genos-rewrite';

export interface ApplyResult {
  applied: boolean;
  reason?: 'none' | 'changed';
}

/**
 * Follows the selected code through edits made while the rewrite streams and waits: edits above it
 * move it, an edit that touches it breaks it. Text that merely looks the same at the old place is
 * never taken for it.
 */
class TrackedRange implements vscode.Disposable {
  private start: number;
  private end: number;
  /** An edit touched the code: the rewrite no longer applies to it. */
  broken = false;
  private readonly listener: vscode.Disposable;

  constructor(
    private readonly document: vscode.TextDocument,
    range: vscode.Range,
  ) {
    this.start = document.offsetAt(range.start);
    this.end = document.offsetAt(range.end);
    this.listener = vscode.workspace.onDidChangeTextDocument((event) => {
      if (event.document !== document) return;
      for (const change of event.contentChanges) {
        const changeEnd = change.rangeOffset + change.rangeLength;
        if (changeEnd <= this.start && !(change.rangeLength === 0 && change.rangeOffset === this.start)) {
          const delta = change.text.length - change.rangeLength;
          this.start += delta;
          this.end += delta;
        } else if (
          change.rangeOffset >= this.end &&
          !(change.rangeLength === 0 && change.rangeOffset === this.end && this.start === this.end)
        ) {
          // After the code: it does not move.
        } else {
          this.broken = true;
        }
      }
    });
  }

  /** Where the code is now. */
  get range(): vscode.Range {
    return new vscode.Range(this.document.positionAt(this.start), this.document.positionAt(this.end));
  }

  dispose(): void {
    this.listener.dispose();
  }
}

interface PendingRewrite {
  uri: vscode.Uri;
  tracked: TrackedRange;
  version: number;
  original: string;
  proposed: string;
  proposalUri: vscode.Uri;
}

/**
 * Rewrite Selection: streams new code for the selection and shows it as a diff; it is applied, as
 * one undoable edit, only when accepted and only where the original still stands.
 */
export class RewriteCommand implements vscode.Disposable, vscode.TextDocumentContentProvider {
  private pending?: PendingRewrite;
  private readonly proposals = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private lastInstruction = '';
  private readonly disposables: vscode.Disposable[];

  constructor(private readonly requests: EditorRequests) {
    this.disposables = [
      vscode.workspace.registerTextDocumentContentProvider(REWRITE_SCHEME, this),
      vscode.commands.registerCommand('genos.rewriteSelection', (instruction?: unknown) => this.rewrite(instruction)),
      vscode.commands.registerCommand('genos.acceptRewrite', () => this.accept()),
      vscode.commands.registerCommand('genos.rejectRewrite', () => this.reject()),
      this.changed,
    ];
  }

  dispose(): void {
    for (const disposable of this.disposables) disposable.dispose();
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.proposals.get(uri.toString()) ?? '';
  }

  /** `genos.rewriteSelection`: asks what to change, streams new code, shows it as a diff. */
  async rewrite(instruction?: unknown): Promise<RequestOutcome | undefined> {
    const editor = selectedEditor();
    if (!editor) return undefined;
    const asked = await givenOrAsked(instruction, {
      title: t('GenOS: Rewrite Selection'),
      prompt: t('What should change? Leave empty to improve the code.'),
      placeHolder: t('For example: handle errors, or use async/await'),
      value: this.lastInstruction,
    });
    if (asked === undefined) return { status: 'cancelled', answer: '', reasoning: '' };
    // Kept until the rewrite is shown, so a failure never loses what the user asked for.
    this.lastInstruction = asked;
    const { document } = editor;
    const range = new vscode.Range(editor.selection.start, editor.selection.end);
    const tracked = new TrackedRange(document, range);
    const version = document.version;
    const selection = readSelection(editor);
    // The code to replace is never cut to fit the window; the lines around it may be.
    const [code, ...around] = selectionContext(selection);
    const { rules } = await rulesFor([document.uri]);
    const outcome = await this.requests.stream(t('GenOS is rewriting the selection…'), (settings) => ({
      system: settings.systemPrompt,
      rules,
      history: [],
      question: rewriteQuestion(selection, asked),
      context: [{ ...code, fixed: true }, ...around],
    }));
    const proposed = outcome.status === 'done' ? extractCode(replyOf(outcome), selection.code) : '';
    if (outcome.status !== 'done' || !proposed.trim()) {
      tracked.dispose();
      if (outcome.status !== 'done') return outcome;
      void vscode.window.showWarningMessage(t('GenOS answered without any code, so there is nothing to apply.'));
      return { ...outcome, status: 'error', errorKind: 'noCode' };
    }
    this.lastInstruction = '';
    await this.propose(document, tracked, version, selection.code, proposed);
    return { ...outcome, proposed };
  }

  private async propose(
    document: vscode.TextDocument,
    tracked: TrackedRange,
    version: number,
    original: string,
    proposed: string,
  ): Promise<void> {
    if (this.pending) {
      this.proposals.delete(this.pending.proposalUri.toString());
      this.pending.tracked.dispose();
    }
    const range = tracked.range;
    const proposalUri = vscode.Uri.from({ scheme: REWRITE_SCHEME, path: document.uri.path, query: `v=${Date.now()}` });
    const text = document.getText();
    const whole = text.slice(0, document.offsetAt(range.start)) + proposed + text.slice(document.offsetAt(range.end));
    this.proposals.set(proposalUri.toString(), whole);
    this.changed.fire(proposalUri);
    this.pending = { uri: document.uri, tracked, version, original, proposed, proposalUri };
    await vscode.commands.executeCommand(
      'vscode.diff',
      document.uri,
      proposalUri,
      t('GenOS rewrite of {0}: original ↔ proposed', path.basename(document.uri.path)),
      { preview: true },
    );
    const accept = t('Accept');
    const reject = t('Reject');
    void vscode.window
      .showInformationMessage(t('Review the rewrite, then accept or reject it.'), accept, reject)
      .then((choice) => {
        if (choice === accept) void this.accept();
        else if (choice === reject) void this.reject();
      });
  }

  private async closeProposal(pending: PendingRewrite): Promise<void> {
    this.proposals.delete(pending.proposalUri.toString());
    const tabs = vscode.window.tabGroups.all
      .flatMap((group) => group.tabs)
      .filter(
        (tab) =>
          tab.input instanceof vscode.TabInputTextDiff &&
          tab.input.modified.toString() === pending.proposalUri.toString(),
      );
    if (tabs.length) await vscode.window.tabGroups.close(tabs);
  }

  /** `genos.acceptRewrite`: applies the proposal to exactly the original range, as one edit. */
  async accept(): Promise<ApplyResult> {
    const pending = this.pending;
    if (!pending) {
      void vscode.window.showInformationMessage(t('There is no rewrite to accept.'));
      return { applied: false, reason: 'none' };
    }
    this.pending = undefined;
    const document = await vscode.workspace.openTextDocument(pending.uri);
    await this.closeProposal(pending);
    const range = pending.tracked.range;
    const broken = pending.tracked.broken;
    pending.tracked.dispose();
    // Applied where the code is now, only if no edit touched it (and it still reads the same).
    if (document.version !== pending.version && (broken || document.getText(range) !== pending.original)) {
      void vscode.window.showWarningMessage(
        t(
          'The code changed while GenOS was rewriting it, so the rewrite was not applied. Run Rewrite Selection again.',
        ),
      );
      return { applied: false, reason: 'changed' };
    }
    const edit = new vscode.WorkspaceEdit();
    edit.replace(pending.uri, range, pending.proposed);
    const applied = await vscode.workspace.applyEdit(edit);
    await vscode.window.showTextDocument(document);
    return { applied };
  }

  /** `genos.rejectRewrite`: discards the proposal; the file is untouched. */
  async reject(): Promise<ApplyResult> {
    const pending = this.pending;
    this.pending = undefined;
    pending?.tracked.dispose();
    if (pending) await this.closeProposal(pending);
    return { applied: false, reason: pending ? undefined : 'none' };
  }
}
