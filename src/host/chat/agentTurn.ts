/**
 * An Agent-mode turn in the panel: the agent loop on the one request path, its steps shown and
 * answered in the turn, its changes listed at the end with Keep and Undo all. The question is
 * saved when the first request connects, as in Ask mode; steps and their messages are saved with
 * the turn, so a stopped or limited turn can go on and a finished one reopens as it was.
 */
import * as vscode from 'vscode';
import { describeRetryWait } from '../../client/errorMessages';
import { AGENT_TOOLS, WRITING_TOOLS } from '../../client/agentTools';
import { GenosError } from '../../client/errors';
import { agentSystemPrompt } from '../../client/prompts';
import { textToolPrompt } from '../../client/textTools';
import type { StepDecision, StepView } from '../../shared/protocol';
import { runAgentLoop, type AgentIO, type ToolProtocol } from '../agent/agentLoop';
import { ChangeJournal } from '../agent/changeJournal';
import type { ProposedChange } from '../agent/editTools';
import { extensionToolSpecs } from '../agent/extensionTools';
import { ToolRunner } from '../agent/toolRunner';
import { t } from '../base/l10n';
import type { Log } from '../base/log';
import type { Connection } from '../connection/connectionManager';
import { linkAbort } from '../connection/cancellation';
import { asGenosError } from '../connection/errorUi';
import { modelKey } from '../connection/servingCache';
import { agentSettings } from '../connection/settings';
import type { RequestEvent, RequestOutcome, RequestPath } from '../requests/requestPath';
import type { Conversation, StoredTurn } from './conversationStore';
import { newId } from './conversationStore';
import { DeltaBatcher } from './deltaBatcher';
import { endTurn, fitNotes, historyOf, refusal, type AskOptions, type ChatSink, type TurnEnd } from './turnParts';
import { recordRules, rulesOfTurn } from './turnRules';

/**
 * Servings (by model key) that refused tools, and when: they get the text protocol from the start
 * for a day, then native calls are tried again (an administrator may have turned them on).
 */
const TEXT_PROTOCOL = 'genos.agent.textProtocol';
const REMEMBER_REFUSAL_MS = 24 * 60 * 60 * 1000;
const PROPOSAL_SCHEME = 'genos-proposal';

/** What the agent turn needs of the chat controller. */
export interface TurnHost {
  readonly sink: ChatSink;
  readonly requests: RequestPath;
  current(): Promise<Conversation>;
  startTurn(conversation: Conversation, text: string, options: AskOptions): Promise<StoredTurn>;
  save(conversation: Conversation): Promise<void>;
  setModel(model: string): void;
  fitted(window: number, tokens: number, rawTokens: number): void;
}

export class AgentTurns implements vscode.Disposable {
  /** Steps waiting for the user, by `turn/step`. */
  private readonly waiting = new Map<string, (decision: StepDecision | undefined) => void>();
  private readonly journals = new Map<string, ChangeJournal>();
  /** Proposed changes for the diff editor, the most recent ones only (each holds a file twice). */
  private readonly proposals = new RecentMap<string, ProposedChange>(50);
  private readonly provider: vscode.Disposable;

  constructor(
    private readonly host: TurnHost,
    /** Commands and tools allowed always (workspace state, never a file of the repository). */
    private readonly workspaceState: vscode.Memento,
    private readonly globalState: vscode.Memento,
    private readonly log: Log,
  ) {
    this.provider = vscode.workspace.registerTextDocumentContentProvider(PROPOSAL_SCHEME, {
      provideTextDocumentContent: (uri) => {
        const [stepId, side] = uri.path.split('/').filter(Boolean);
        const change = this.proposals.get(stepId);
        return side === 'before' ? (change?.before ?? '') : (change?.after ?? '');
      },
    });
  }

  dispose(): void {
    for (const resolve of this.waiting.values()) resolve(undefined);
    this.provider.dispose();
  }

  /** Turns of a conversation opened from storage: changes of another session cannot be undone here. */
  adopt(conversation: Conversation): void {
    for (const turn of conversation.turns) {
      if (turn.changes?.state === 'pending' && !this.journals.has(turn.id)) turn.changes.state = 'unavailable';
      for (const step of turn.steps ?? []) {
        if (step.status === 'running' || step.status === 'asking') {
          step.status = 'stopped';
          step.ask = undefined;
        }
      }
    }
  }

  /** The user's answer to a step waiting in turn `requestId`. */
  decide(requestId: string, stepId: string, decision: StepDecision): void {
    const key = `${requestId}/${stepId}`;
    this.waiting.get(key)?.(decision);
    this.waiting.delete(key);
  }

  async openDiff(stepId: string): Promise<void> {
    const change = this.proposals.get(stepId);
    if (!change) return;
    const name = change.target.display.split('/').pop() ?? 'file';
    const side = (which: string) => vscode.Uri.from({ scheme: PROPOSAL_SCHEME, path: `/${stepId}/${which}/${name}` });
    const title = t('{0}: proposed change', change.target.display);
    await vscode.commands.executeCommand('vscode.diff', side('before'), side('after'), title);
  }

  /** Keep or undo the files turn `turn` changed; says when undo is no longer possible. */
  async settleChanges(conversation: Conversation, turn: StoredTurn, undo: boolean): Promise<void> {
    if (!turn.changes || turn.changes.state !== 'pending') return;
    const journal = this.journals.get(turn.id);
    if (!undo) {
      journal?.clear();
      turn.changes.state = 'kept';
    } else if (!journal) {
      turn.changes.state = 'unavailable';
    } else {
      const changed = await journal.changedSince();
      if (changed.length) {
        const undoAnyway = t('Undo all anyway');
        const answer = await vscode.window.showWarningMessage(
          t(
            "These files changed after the agent's edits: {0}. Undo all anyway? Those later changes are lost.",
            changed.join(', '),
          ),
          { modal: true },
          undoAnyway,
        );
        if (answer !== undoAnyway) return;
      }
      const failed = await journal.undoAll();
      if (failed.length) {
        void vscode.window.showErrorMessage(t('These files could not be restored: {0}', failed.join(', ')));
      }
      turn.changes.state = 'undone';
    }
    this.journals.delete(turn.id);
    await this.host.save(conversation);
    this.host.sink.post({ type: 'changes', requestId: turn.id, changes: turn.changes });
  }

  /** Runs an agent turn: a new question, or `options.continues` going on from its steps. */
  async run(text: string, options: AskOptions, stop: AbortSignal): Promise<TurnEnd> {
    const abort = linkAbort({ signal: stop, token: options.cancellation });
    try {
      return await this.runLoop(text, options, abort.signal);
    } finally {
      abort.dispose();
    }
  }

  private async runLoop(text: string, options: AskOptions, signal: AbortSignal): Promise<TurnEnd> {
    const { sink } = this.host;
    const steps = options.continues?.agentSteps ?? [];
    let conversation: Conversation | undefined;
    let turn: StoredTurn | undefined;
    let connection: Connection | undefined;
    const readOnly = !vscode.workspace.isTrusted;
    const settings = agentSettings();
    const builtin = AGENT_TOOLS.filter((tool) => !readOnly || !WRITING_TOOLS.has(tool.name as never));
    const tools = [...builtin, ...(readOnly || !settings.extensionTools ? [] : extensionToolSpecs())];
    const batcher = new DeltaBatcher((content, reasoning) => {
      if (turn) sink.post({ type: 'delta', requestId: turn.id, content, reasoning });
    });
    const journal = new ChangeJournal();
    const note = (line: string) => {
      if (!turn) return;
      turn.notes = [...(turn.notes ?? []).filter((n) => n !== line), line];
      sink.post({ type: 'fitted', requestId: turn.id, notes: turn.notes });
    };
    const runner = new ToolRunner({
      ui: {
        show: (step) => {
          if (!turn) return;
          const view = { ...step };
          const steps = (turn.steps ??= []);
          const at = steps.findIndex((s) => s.id === step.id);
          if (at === -1) steps.push(view);
          else steps[at] = view;
          sink.post({ type: 'step', requestId: turn.id, step: view });
        },
        decide: (step, stepSignal) => this.wait(turn?.id ?? '', step, stepSignal),
      },
      journal,
      state: this.workspaceState,
      settings,
      readOnly,
      proposals: this.proposals,
      newId: () => newId('step'),
    });
    const shown = await this.host.current();
    const rules = await rulesOfTurn(shown);
    const thinking = shown.thinkingOff ? false : undefined;
    const refusals = () => this.globalState.get<Record<string, number>>(TEXT_PROTOCOL, {}) ?? {};
    const refuses = (key: string) => Date.now() - (refusals()[key] ?? 0) < REMEMBER_REFUSAL_MS;
    const host = this.host;
    let afterStep = false;
    const io: AgentIO = {
      async *request(steps, protocol, requestSignal) {
        const events = host.requests.stream({
          signal: requestSignal,
          token: options.cancellation,
          reuse: connection,
          prompt: (request) => ({
            system: agentSystemPrompt({
              folders: (vscode.workspace.workspaceFolders ?? []).map((folder) => folder.name),
              readOnly,
              system: request.systemPrompt,
              toolProtocol: protocol === 'text' ? textToolPrompt(builtin) : undefined,
            }),
            rules: rules.rules,
            history: historyOf(conversation?.turns ?? [], turn),
            question: turn?.question ?? text,
            context: turn?.contextBlocks ?? [],
            steps,
          }),
          tools: protocol === 'native' ? tools : undefined,
          thinking,
        });
        for await (const event of events) {
          await onEvent(event, protocol);
          yield event;
        }
      },
      runCall: (call, callSignal) => {
        afterStep = true;
        return runner.run(call, callSignal);
      },
      text: (piece) => {
        if (!turn) return;
        // What the model says after a step starts a paragraph of its own.
        const gap = turn.answer.endsWith('\n\n') ? '' : turn.answer.endsWith('\n') ? '\n' : '\n\n';
        const text = afterStep && turn.answer ? gap + piece.trimStart() : piece;
        afterStep = false;
        turn.answer += text;
        batcher.add('content', text);
      },
      reasoning: (piece) => {
        if (!turn) return;
        turn.reasoning += piece;
        batcher.add('reasoning', piece);
      },
      protocolChanged: (protocol) => {
        if (connection && turn?.model) {
          const key = modelKey(connection.endpoint, turn.model);
          if (!refuses(key)) void this.globalState.update(TEXT_PROTOCOL, { ...refusals(), [key]: Date.now() });
        }
        if (protocol === 'text') note(t('This serving does not take tool calls: the agent writes them as text.'));
      },
    };
    const onEvent = async (event: RequestEvent, protocol: ToolProtocol) => {
      if (event.type === 'connected') {
        connection = event.connection;
        if (!turn) {
          // The question is saved before anything is sent: nothing the user typed is lost.
          conversation = await this.host.current();
          turn = await this.host.startTurn(conversation, text, options);
          turn.mode = 'agent';
          turn.agentSteps = steps;
          if (readOnly) note(t('Restricted Mode: the agent can only read.'));
        }
      } else if (event.type === 'model' && turn) {
        turn.model = event.model;
        this.host.setModel(event.model);
        if (protocol === 'native' && connection && refuses(modelKey(connection.endpoint, event.model))) {
          // Known to refuse tools: not asked again; the loop goes on in the text protocol.
          throw new GenosError({
            kind: 'badRequest',
            detail: 'toolsRefused',
            message: 'The serving does not take tools.',
          });
        }
      } else if (event.type === 'fitted') {
        this.host.fitted(event.window, event.fitted.tokens, event.fitted.rawTokens);
        const recorded = turn && conversation ? recordRules(conversation, turn, rules, event.fitted) : undefined;
        if (recorded?.message) sink.post(recorded.message);
        const notes = [...fitNotes(event.fitted), ...(recorded?.notes ?? [])];
        const steps = event.fitted.steps;
        if (steps?.shortened) {
          note(t('Results of {0} earlier steps shortened to fit the context window.', steps.shortened));
        }
        if (steps?.omitted) note(t('{0} earlier steps left out to fit the context window.', steps.omitted));
        for (const line of notes) note(line);
      } else if (event.type === 'retryWait') {
        batcher.flush();
        if (turn) sink.post({ type: 'waiting', requestId: turn.id, message: describeRetryWait(event.wait, t) });
      }
    };

    const outcome: RequestOutcome = { status: 'done', answer: '', reasoning: '' };
    let stepLimit = false;
    try {
      const protocol: ToolProtocol = 'native';
      const end = await runAgentLoop(io, { protocol, tools, maxSteps: settings.maxSteps, steps, signal });
      stepLimit = end.reason === 'limit';
    } catch (error) {
      const failure = asGenosError(error, this.log);
      outcome.status = failure.kind === 'cancelled' ? 'stopped' : 'error';
      if (failure.kind !== 'cancelled') outcome.error = failure;
    }
    batcher.flush();
    if (!turn || !conversation) {
      // Not connected: nothing was sent and no turn exists; the question stays where it was typed.
      if (!outcome.error) return {};
      return { outcome, message: options.clientId ? refusal(options.clientId, outcome.error) : undefined };
    }
    if (!journal.empty) {
      // A continued turn adds to the changes it already made.
      const earlier = this.journals.get(turn.id);
      const files = [...(turn.changes?.state === 'pending' ? turn.changes.files : [])];
      for (const file of journal.files) if (!files.some((f) => f.path === file.path)) files.push(file);
      this.journals.set(turn.id, earlier ? earlier.merge(journal) : journal);
      turn.changes = { files, state: 'pending' };
      sink.post({ type: 'changes', requestId: turn.id, changes: turn.changes });
    }
    turn.stepLimit = stepLimit || undefined;
    const message = endTurn(turn, { ...outcome, model: turn.model });
    if (message.type === 'turnDone') message.stepLimit = turn.stepLimit;
    conversation.updatedAt = Date.now();
    await this.host.save(conversation);
    return { outcome: { ...outcome, requestId: turn.id, answer: turn.answer }, message };
  }

  /** Waits for the panel's answer to `step`; undefined when the turn is stopped first. */
  private wait(requestId: string, step: StepView, signal: AbortSignal): Promise<StepDecision | undefined> {
    const key = `${requestId}/${step.id}`;
    return new Promise((resolve) => {
      if (signal.aborted) return resolve(undefined);
      const stop = () => {
        this.waiting.delete(key);
        resolve(undefined);
      };
      signal.addEventListener('abort', stop, { once: true });
      this.waiting.set(key, (decision) => {
        signal.removeEventListener('abort', stop);
        resolve(decision);
      });
    });
  }
}

/** A map that keeps its last `limit` entries. */
class RecentMap<K, V> extends Map<K, V> {
  constructor(private readonly limit: number) {
    super();
  }

  override set(key: K, value: V): this {
    super.delete(key);
    super.set(key, value);
    while (this.size > this.limit) super.delete(this.keys().next().value as K);
    return this;
  }
}
