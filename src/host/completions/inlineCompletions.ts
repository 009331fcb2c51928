import * as vscode from 'vscode';
import { allowsCompletion, fitCompletion } from '../../client/completion';
import { buildCompletionPrompt, type CursorContext } from '../../client/prompts';
import { CompletionEngine, type CompletionFetch } from '../../client/completionEngine';
import { describeError } from '../../client/errorMessages';
import { GenosError } from '../../client/errors';
import type { CompletionFix, CompletionStatus } from './completionStatus';
import { asGenosError } from '../connection/errorUi';
import { t } from '../base/l10n';
import type { Log } from '../base/log';
import { completionSettings, inlineSuggestEnabled, type CompletionSettings } from '../connection/settings';
import type { Connection, ConnectionManager } from '../connection/connectionManager';

const COMPLETIONS_PATH = '/v1/completions';
/** Completions are short and to the point: little randomness. */
const TEMPERATURE = 0.1;
/** Hard limits on the text around the cursor, whatever the line budget: very long lines exist. */
const MAX_PREFIX_CHARS = 12_000;
const MAX_SUFFIX_CHARS = 3_000;
/** After a timeout or network failure, no request for this long, doubling up to the maximum. */
const FIRST_BACKOFF_MS = 5_000;
const MAX_BACKOFF_MS = 5 * 60_000;

/** Timings of the last request, for the benchmark: provider called -> request sent, response -> items. */
export interface CompletionTimings {
  calledToSentMs?: number;
  receivedToItemsMs?: number;
}

/**
 * The text around the cursor within the budget: whole lines only, at most `prefixLines` before and
 * `suffixLines` after (and a character limit, cut at a line boundary).
 */
export function cursorContext(
  document: vscode.TextDocument,
  position: vscode.Position,
  settings: Pick<CompletionSettings, 'prefixLines' | 'suffixLines'>,
): CursorContext {
  const first = Math.max(0, position.line - settings.prefixLines);
  const last = Math.min(document.lineCount - 1, position.line + settings.suffixLines);
  let prefix = document.getText(new vscode.Range(first, 0, position.line, position.character));
  let suffix = document.getText(new vscode.Range(position, document.lineAt(last).range.end));
  if (prefix.length > MAX_PREFIX_CHARS) {
    const cut = prefix.indexOf('\n', prefix.length - MAX_PREFIX_CHARS);
    prefix = cut < 0 ? prefix.slice(-MAX_PREFIX_CHARS) : prefix.slice(cut + 1);
  }
  if (suffix.length > MAX_SUFFIX_CHARS) {
    const cut = suffix.lastIndexOf('\n', MAX_SUFFIX_CHARS);
    suffix = cut < 0 ? suffix.slice(0, MAX_SUFFIX_CHARS) : suffix.slice(0, cut);
  }
  const path = document.isUntitled
    ? document.fileName
    : vscode.workspace.asRelativePath(document.uri, false).replace(/\\/g, '/');
  return { prefix, suffix, language: document.languageId, path };
}

/** A failure that asking again will not mend: it waits for the user (token, settings). */
function isLasting(error: GenosError): boolean {
  return ['config', 'unauthorized', 'notFound', 'badRequest', 'redirect', 'proxyAuth', 'malformed'].includes(
    error.kind,
  );
}

/**
 * Inline completion (ghost text) from a GenOS serving. Quiet: a failure never opens a
 * notification; the status bar shows it with the fix, and the log has each distinct failure once.
 * A failure that waiting mends (a timeout, the network) backs off; one the user must mend (the
 * token, the serving) stops requests until the settings or the token change.
 */
export class InlineCompletions implements vscode.InlineCompletionItemProvider, vscode.Disposable {
  private engine?: { key: string; engine: CompletionEngine };
  private lasting?: GenosError;
  private blockedUntil = 0;
  private backoffMs = 0;
  private readonly logged = new Set<string>();
  private inFlight = 0;
  readonly timings: CompletionTimings = {};

  constructor(
    private readonly connections: ConnectionManager,
    private readonly log: Log,
    private readonly status: CompletionStatus,
  ) {
    this.refresh();
  }

  dispose(): void {
    this.engine?.engine.abort();
  }

  /** Requests since the extension started, for tests and the benchmark. */
  get stats() {
    return this.engine?.engine.stats;
  }

  /** Starts afresh after the settings or the token changed: errors are forgotten, results too. */
  reset(): void {
    this.engine?.engine.clear();
    this.engine = undefined;
    this.lasting = undefined;
    this.blockedUntil = 0;
    this.backoffMs = 0;
    this.logged.clear();
    this.refresh();
  }

  /** Shows in the status bar whether completion is off, on, or failing. */
  private refresh(): void {
    const settings = completionSettings();
    if (!settings.enabled) this.status.set({ kind: 'off' });
    else if (!inlineSuggestEnabled()) this.status.set({ kind: 'editorOff' });
    else if (this.lasting) {
      this.status.set({ kind: 'error', reason: reasonFor(this.lasting), fixes: fixesFor(this.lasting) });
    } else if (this.inFlight > 0) this.status.set({ kind: 'asking' });
    else if (Date.now() < this.blockedUntil) {
      this.status.set({
        kind: 'error',
        reason: t(
          'GenOS did not answer; trying again in {0} seconds.',
          Math.ceil((this.blockedUntil - Date.now()) / 1000),
        ),
        fixes: ['showLog'],
      });
    } else this.status.set({ kind: 'ready' });
  }

  private engineFor(settings: CompletionSettings): CompletionEngine {
    const key = JSON.stringify(settings);
    if (this.engine?.key !== key) {
      this.engine?.engine.clear();
      this.engine = { key, engine: new CompletionEngine(this.fetcher(settings), { debounceMs: settings.debounceMs }) };
    }
    return this.engine.engine;
  }

  /** One request to GenOS, on the connection the panel uses, never retried. */
  private fetcher(settings: CompletionSettings): CompletionFetch {
    // The connection (token, network path, client) is made once per settings, not per keystroke;
    // a change of settings or token makes a new engine and so a new connection.
    let reuse: Connection | undefined;
    return (context, signal) =>
      this.connections.withConnection(
        { signal, interactive: false, servingId: settings.servingId || undefined, retry: { maxRetries: 0 }, reuse },
        async (connection, aborted) => {
          reuse = connection;
          this.inFlight++;
          this.refresh();
          try {
            const model = await this.connections.servings.model(connection, aborted, settings.model);
            const prompt = buildCompletionPrompt(settings.promptFormat, model, context);
            this.timings.calledToSentMs = performance.now() - (this.calledAt ?? performance.now());
            let text = '';
            if (prompt.format === 'chat') {
              for await (const event of connection.client.chat(
                prompt.messages,
                { model, temperature: TEMPERATURE, maxTokens: settings.maxTokens },
                aborted,
              )) {
                if (event.type === 'content') text += event.text;
              }
            } else {
              text = await connection.client
                .complete(
                  prompt.prompt,
                  { model, maxTokens: settings.maxTokens, temperature: TEMPERATURE, stop: prompt.stop },
                  aborted,
                )
                .catch((error: unknown) => {
                  // The serving exists (it listed its models) but has no completion API: say that.
                  if (error instanceof GenosError && error.kind === 'notFound') {
                    throw new GenosError({
                      kind: 'notFound',
                      status: 404,
                      detail: COMPLETIONS_PATH,
                      message: 'HTTP 404: the serving has no /v1/completions.',
                    });
                  }
                  throw error;
                });
            }
            this.receivedAt = performance.now();
            return text;
          } finally {
            this.inFlight--;
            this.refresh();
          }
        },
      );
  }

  private calledAt?: number;
  private receivedAt?: number;

  async provideInlineCompletionItems(
    document: vscode.TextDocument,
    position: vscode.Position,
    context: vscode.InlineCompletionContext,
    token: vscode.CancellationToken,
  ): Promise<vscode.InlineCompletionItem[]> {
    this.calledAt = performance.now();
    const settings = completionSettings();
    if (!settings.enabled || !inlineSuggestEnabled() || this.lasting || Date.now() < this.blockedUntil) return [];
    // The suggest widget is open: its choice is being accepted, so ghost text would compete with it.
    if (context.selectedCompletionInfo) return [];
    const editor = vscode.window.activeTextEditor;
    if (editor?.document === document && editor.selections.some((selection) => !selection.isEmpty)) return [];
    // Secrets and keys: nothing of them leaves the editor.
    if (settings.exclude.some((pattern) => vscode.languages.match({ pattern }, document) > 0)) return [];
    const restOfLine = document.lineAt(position.line).text.slice(position.character);
    if (!allowsCompletion(restOfLine)) return [];

    const cursor = cursorContext(document, position, settings);
    const engine = this.engineFor(settings);
    const controller = new AbortController();
    // A cancelled call only stops waiting (the next keystroke may reuse the request); leaving the
    // cursor closes the request itself.
    const stopWaiting = () => controller.abort();
    const abort = () => {
      controller.abort();
      engine.abortFor(cursor);
    };
    // The answer is for this cursor only: once it moves away, the editor loses focus or the
    // document closes, the request is closed and the server stops generating for nothing.
    const watchers = [
      token.onCancellationRequested(stopWaiting),
      vscode.window.onDidChangeTextEditorSelection((event) => {
        if (
          event.textEditor.document === document &&
          !event.selections.some((selection) => selection.active.isEqual(position))
        ) {
          abort();
        }
      }),
      vscode.window.onDidChangeActiveTextEditor((active) => {
        if (active?.document !== document) abort();
      }),
      vscode.window.onDidChangeWindowState((state) => {
        if (!state.focused) abort();
      }),
      vscode.workspace.onDidCloseTextDocument((closed) => {
        if (closed === document) abort();
      }),
    ];
    try {
      const raw = await engine.complete(cursor, controller.signal);
      this.backoffMs = 0;
      if (raw === undefined || token.isCancellationRequested) return [];
      const text = fitCompletion(raw, cursor, restOfLine.trim() === '');
      const items = text ? [new vscode.InlineCompletionItem(text, new vscode.Range(position, position))] : [];
      if (this.receivedAt !== undefined) this.timings.receivedToItemsMs = performance.now() - this.receivedAt;
      this.receivedAt = undefined;
      return items;
    } catch (error) {
      this.fail(asGenosError(error, this.log));
      return [];
    } finally {
      for (const watcher of watchers) watcher.dispose();
      this.refresh();
    }
  }

  private fail(error: GenosError): void {
    if (error.kind === 'cancelled') return;
    const key = `${error.kind}:${error.status ?? ''}:${error.configProblem ?? ''}:${error.networkReason ?? ''}`;
    if (isLasting(error)) {
      this.lasting = error;
    } else {
      this.backoffMs = Math.min(MAX_BACKOFF_MS, this.backoffMs ? this.backoffMs * 2 : FIRST_BACKOFF_MS);
      this.blockedUntil = Date.now() + this.backoffMs;
      setTimeout(() => this.refresh(), this.backoffMs + 10).unref?.();
    }
    if (!this.logged.has(key)) {
      this.logged.add(key);
      this.log.warn(
        `completion failed: ${error.message}${isLasting(error) ? '; no more requests until the settings or the token change' : `; next try in ${this.backoffMs / 1000} s`}`,
      );
    }
  }
}

/** One line on the failure, for the status bar. */
function reasonFor(error: GenosError): string {
  if (error.kind === 'notFound' && error.detail === COMPLETIONS_PATH) {
    return t(
      'This serving has no /v1/completions (404). Set "genos.completion.promptFormat" to "chat", or "genos.completion.servingId" to a serving with a code model.',
    );
  }
  return describeError(error, t);
}

/** What the status bar menu offers for a failure. */
function fixesFor(error: GenosError): CompletionFix[] {
  if (
    error.kind === 'unauthorized' ||
    error.configProblem === 'missingToken' ||
    error.configProblem === 'invalidToken'
  ) {
    return ['setToken', 'showLog'];
  }
  if (error.kind === 'notFound') return ['useChatFormat', 'openSettings', 'showLog'];
  return ['openSettings', 'showLog'];
}
