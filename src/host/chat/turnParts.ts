/**
 * The parts of a chat turn that need no panel: what it sends, what the panel is told about the
 * fitting, and how its end is recorded and announced.
 */
import type * as vscode from 'vscode';
import { describeError, errorActions } from '../../client/errorMessages';
import type { GenosError } from '../../client/errors';
import { CONTINUE, type HistoryTurn, type RuleText } from '../../client/prompts';
import type { ChatMessage } from '../../client/openai';
import type { ChatMode, HostMessage } from '../../shared/protocol';
import { t } from '../base/l10n';
import type { RequestSettings } from '../connection/settings';
import { fitToWindow, outputReserve, type FittedPrompt, type PromptParts } from '../requests/contextBudget';
import type { RequestOutcome } from '../requests/requestPath';
import type { ContextBlock } from '../../client/prompts';
import type { Attachment } from './attachments';
import type { StoredTurn } from './conversationStore';

/** Where the controller's messages go: the chat view, which holds them until the webview is ready. */
export interface ChatSink {
  post(message: HostMessage): void;
}

/** How a question is asked: from the panel (`clientId`), with given context, in place of a turn, cancellable. */
export interface AskOptions {
  clientId?: string;
  context?: Attachment[];
  replace?: StoredTurn;
  /** Go on with this turn's answer instead of starting a new one. */
  continues?: StoredTurn;
  cancellation?: vscode.CancellationToken;
  /** The mode the turn runs in; a conversation's first turn sets the conversation's. */
  mode?: ChatMode;
}

/** How a turn ended, and what the panel is told once the turn is released. */
export interface TurnEnd {
  outcome?: RequestOutcome;
  message?: HostMessage;
}

/** The earlier exchanges a new question builds on: finished or stopped turns before `current`. */
export function historyOf(turns: StoredTurn[], current: StoredTurn | undefined): HistoryTurn[] {
  const end = current ? turns.indexOf(current) : -1;
  return (end >= 0 ? turns.slice(0, end) : turns)
    .filter((h) => h !== current && (h.status === 'done' || h.status === 'stopped'))
    .map((h) => ({ question: h.question, context: h.contextBlocks, answer: h.answer, reasoning: h.reasoning }));
}

/** What the panel says about a request fitted into the window. */
export function fitNotes(fitted: FittedPrompt): string[] {
  const notes: string[] = [];
  if (fitted.omittedTurns === 1) notes.push(t("1 earlier turn not sent, to fit the model's context window."));
  else if (fitted.omittedTurns > 1) {
    notes.push(t("{0} earlier turns not sent, to fit the model's context window.", fitted.omittedTurns));
  }
  for (const cut of fitted.cut) {
    notes.push(t('{0} cut to lines {1}-{2} (of {3}) to fit.', cut.label, cut.from, cut.to, cut.lines));
  }
  return notes;
}

/**
 * What a turn sends: the earlier turns, then the question with its attachments. A continuation
 * sends the answer so far as the last exchange and asks the model to go on.
 */
export function turnPrompt(
  settings: RequestSettings,
  turns: StoredTurn[],
  turn: StoredTurn | undefined,
  question: string,
  continues: StoredTurn | undefined,
  rules: readonly RuleText[] = [],
): PromptParts {
  const past = historyOf(turns, turn);
  if (continues && turn) {
    const last = { question: turn.question, context: turn.contextBlocks, answer: turn.answer };
    return { system: settings.systemPrompt, rules, history: [...past, last], question: CONTINUE, context: [] };
  }
  return { system: settings.systemPrompt, rules, history: past, question, context: turn?.contextBlocks ?? [] };
}

/** Records how a turn ended on it, and the message that tells the panel. */
export function endTurn(turn: StoredTurn, outcome: RequestOutcome): HostMessage {
  turn.usage = outcome.usage;
  turn.cutOff = outcome.finishReason === 'length' || undefined;
  if (outcome.status === 'error' && outcome.error) {
    turn.status = 'error';
    turn.error = { message: describeError(outcome.error, t), actions: errorActions(outcome.error) };
    const { message, actions } = turn.error;
    return { type: 'turnError', requestId: turn.id, message, actions, status: 'error' };
  }
  turn.status = outcome.status === 'done' ? 'done' : 'stopped';
  const { usage, model, cutOff } = turn;
  return { type: 'turnDone', requestId: turn.id, status: turn.status, usage, model, cutOff };
}

/** A question refused before it became a turn (no token, no serving): it stays where it was typed. */
export function refusal(clientId: string, failure: GenosError): HostMessage {
  const actions = errorActions(failure).filter((action) => action !== 'retry');
  return { type: 'refused', clientId, message: describeError(failure, t), actions };
}

/**
 * For the gauge: what the next request takes before the question is typed (system prompt, earlier
 * turns, attachments), the window once a request has found it, and the serving's correction.
 * Once the window is known, older turns are left out as the turn itself would leave them out.
 */
export function gaugeOf(
  settings: RequestSettings,
  turns: StoredTurn[],
  blocks: ContextBlock[],
  window: number | undefined,
  factor: number,
  rules: readonly RuleText[] = [],
): Extract<HostMessage, { type: 'budget' }> & { messages: ChatMessage[] } {
  const parts = {
    system: settings.systemPrompt,
    rules,
    history: historyOf(turns, undefined),
    question: '',
    context: blocks,
  };
  const reserve = window ? outputReserve(settings.maxTokens, window).reserve : 0;
  const fitted = fitToWindow(parts, { window: window ?? Number.MAX_SAFE_INTEGER, reserve, factor });
  const omitted = fitted.omittedTurns || undefined;
  return { type: 'budget', tokens: fitted.tokens, window, factor, omitted, messages: fitted.messages };
}
