import * as vscode from 'vscode';
import { describeRetryWait } from '../../client/errorMessages';
import type { ContextBlock, RuleText } from '../../client/prompts';
import type { HostMessage } from '../../shared/protocol';
import { asAttachments, Attachments } from './attachments';
import {
  emptyConversation,
  newId,
  toView,
  type Conversation,
  type ConversationStore,
  type StoredTurn,
} from './conversationStore';
import { DeltaBatcher } from './deltaBatcher';
import type { EditorContext } from '../context/editorContext';
import { asGenosError, showError } from '../connection/errorUi';
import { t } from '../base/l10n';
import type { Log } from '../base/log';
import { requestSettings, type RequestSettings } from '../connection/settings';
import type { RequestOutcome, RequestPath } from '../requests/requestPath';
import { webviewStrings } from './webviewStrings';
import {
  endTurn,
  fitNotes,
  gaugeOf,
  refusal,
  turnPrompt,
  type AskOptions,
  type ChatSink,
  type TurnEnd,
} from './turnParts';
import { AgentTurns } from './agentTurn';
import { openRule, recordRules, rulesOfTurn } from './turnRules';
import { SlashCommands } from './slashCommands';
import type { ChatMode, StepDecision } from '../../shared/protocol';
import { thinksByName } from '../../shared/modelNames';

export type { ChatSink } from './turnParts';

const ACTIVE_CONVERSATION = 'genos.activeConversation';
/** The gauge's exact count waits this long after the last change. */
const EXACT_GAUGE_MS = 400;

/**
 * The conversation and the life cycle of its turns, apart from any view: the turns, the context
 * waiting to be sent, the request in flight. The panel and the editor commands both drive it.
 */
export class ChatController implements vscode.Disposable {
  private conversation: Conversation = emptyConversation();
  private loaded?: Promise<void>;
  /** Context waiting to be sent with the next question. */
  readonly attachments: Attachments;
  /** The `/` commands: built-ins and the team's prompt files. */
  readonly slash: SlashCommands;
  private active?: { controller: AbortController; done: Promise<unknown> };
  private lastModel = '';
  /** The window of the last request and the serving's correction factor, for the gauge. */
  private lastWindow?: number;
  private lastFactor = 1;
  /** Agent-mode turns: their steps, approvals and changes. */
  private readonly agent: AgentTurns;
  /** The mode of a new conversation: the last one chosen. */
  private nextMode: ChatMode = 'ask';
  private exactTimer?: NodeJS.Timeout;
  /** The rules of the last turn, for the gauge. */
  private lastRules: RuleText[] = [];
  /** Models seen thinking in this window. */
  private readonly thinkingSeen = new Set<string>();

  constructor(
    readonly sink: ChatSink,
    readonly requests: RequestPath,
    private readonly store: ConversationStore,
    private readonly state: vscode.Memento,
    private readonly log: Log,
    private readonly editor: EditorContext,
    workspaceState: vscode.Memento = state,
  ) {
    this.attachments = new Attachments(editor, (context) => {
      sink.post({ type: 'context', context });
      this.postBudget();
    });
    this.slash = new SlashCommands(this.attachments);
    this.agent = new AgentTurns(
      {
        sink,
        requests,
        current: () => this.current(),
        startTurn: (conversation, text, options) => this.startTurn(conversation, text, options),
        save: (conversation) => this.save(conversation),
        setModel: (model) => this.setModel(model),
        fitted: (window, tokens, raw) => this.noteFit(window, tokens, raw),
      },
      workspaceState,
      state,
      log,
    );
  }

  dispose(): void {
    clearTimeout(this.exactTimer);
    this.active?.controller.abort();
    this.agent.dispose();
  }

  /** A failed save is logged; the turn is still shown and kept in memory. */
  private async save(conversation: Conversation): Promise<void> {
    await this.store.save(conversation).catch((error: unknown) => asGenosError(error, this.log));
  }

  private noteFit(window: number, tokens: number, rawTokens: number): void {
    this.lastWindow = window;
    if (rawTokens > 0) this.lastFactor = tokens / rawTokens;
  }

  /** The mode of the conversation shown. */
  get mode(): ChatMode {
    return this.conversation.mode ?? (this.conversation.turns.length ? 'ask' : this.nextMode);
  }

  /** Switches the conversation between Ask and Agent; a new conversation starts in the last mode chosen. */
  async setMode(mode: ChatMode): Promise<void> {
    const conversation = await this.current();
    this.nextMode = mode;
    conversation.mode = mode;
    if (conversation.turns.length) await this.save(conversation);
    this.sink.post({ type: 'mode', mode });
  }

  /** Turns the repository's rules off or on for this conversation. */
  async setRulesOff(rulesOff: boolean): Promise<void> {
    const conversation = await this.current();
    conversation.rulesOff = rulesOff || undefined;
    if (conversation.turns.length) await this.save(conversation);
    this.sink.post({ type: 'rulesOff', rulesOff });
  }

  /** Opens a rules file a turn used. */
  async openRule(requestId: string, label: string): Promise<void> {
    const conversation = await this.current();
    await openRule(
      conversation.turns.find((t) => t.id === requestId),
      label,
    );
  }

  /** Asks the model not to think (or lets it) in this conversation. */
  async setThinkingOff(thinkingOff: boolean): Promise<void> {
    const conversation = await this.current();
    conversation.thinkingOff = thinkingOff || undefined;
    if (conversation.turns.length) await this.save(conversation);
    this.postThinking();
  }

  /** Whether the model in use thinks: by its name, or seen thinking in this window. */
  private get thinks(): boolean {
    return thinksByName(this.model) || this.thinkingSeen.has(this.model);
  }

  private postThinking(): void {
    this.sink.post({ type: 'thinking', thinks: this.thinks, thinkingOff: this.conversation.thinkingOff === true });
  }

  /** The user's answer to a step of an agent turn. */
  decide(requestId: string, stepId: string, decision: StepDecision): void {
    this.agent.decide(requestId, stepId, decision);
  }

  openDiff(stepId: string): Promise<void> {
    return this.agent.openDiff(stepId);
  }

  /** Keeps or undoes the files an agent turn changed. */
  async settleChanges(requestId: string, undo: boolean): Promise<void> {
    const conversation = await this.current();
    const turn = conversation.turns.find((t) => t.id === requestId);
    if (turn) await this.agent.settleChanges(conversation, turn, undo);
  }

  /** The conversation shown, restored from storage on first use. */
  private async current(): Promise<Conversation> {
    this.loaded ??= (async () => {
      try {
        const id = this.state.get<string>(ACTIVE_CONVERSATION);
        const saved = id ? await this.store.load(id) : undefined;
        if (saved) this.show(saved);
      } catch (error) {
        // The panel opens whatever the history holds: with a new conversation, and says so.
        this.log.error(
          `the last conversation could not be opened: ${error instanceof Error ? error.message : String(error)}`,
        );
        void vscode.window.showWarningMessage(
          t('The last GenOS conversation could not be opened, so a new one was started. The log says why.'),
        );
      }
    })();
    await this.loaded;
    return this.conversation;
  }

  private show(conversation: Conversation): void {
    // A turn that was streaming when the window closed ended there.
    for (const turn of conversation.turns) if (turn.status === 'streaming') turn.status = 'stopped';
    this.agent.adopt(conversation);
    this.conversation = conversation;
  }

  /** The whole state, for a webview that just said `ready`. */
  async init(): Promise<HostMessage> {
    const conversation = await this.current();
    return {
      type: 'init',
      strings: webviewStrings(),
      turns: conversation.turns.map(toView),
      model: this.model,
      context: this.attachments.chips,
      hasSelection: this.editor.hasSelection(),
      budget: this.budget(),
      mode: this.mode,
      readOnly: !vscode.workspace.isTrusted,
      rulesOff: conversation.rulesOff,
      thinks: this.thinks,
      thinkingOff: conversation.thinkingOff,
    };
  }

  /**
   * For the gauge: what the next request takes before the question is typed (system prompt,
   * earlier turns, attachments), the window when a request has found it, and the correction.
   */
  budget(): Extract<HostMessage, { type: 'budget' }> {
    const gauge: Partial<ReturnType<ChatController['gauge']>> = this.gauge();
    delete gauge.messages;
    return gauge as Extract<HostMessage, { type: 'budget' }>;
  }

  private gauge() {
    return gaugeOf(
      requestSettings(),
      this.conversation.turns,
      this.attachments.blocks,
      this.lastWindow,
      this.lastFactor,
      this.lastRules,
    );
  }

  /**
   * The gauge at once from the estimate; then, once things are quiet, from the serving's exact
   * count where it gives one. Typing never waits for it: the typed text is estimated in the panel.
   */
  private postBudget(): void {
    const { messages, ...budget } = this.gauge();
    this.sink.post(budget);
    clearTimeout(this.exactTimer);
    this.exactTimer = setTimeout(() => {
      void this.requests.count(messages).then((count) => {
        // Only if nothing changed meanwhile (another post would have restarted the wait).
        if (count !== undefined && this.gauge().tokens === budget.tokens) {
          this.sink.post({ ...budget, tokens: count, exact: true });
        }
      });
    }, EXACT_GAUGE_MS);
  }

  /** Shows the saved conversations. */
  async showHistory(): Promise<void> {
    this.sink.post({ type: 'history', conversations: await this.store.list() });
  }

  /** Asks a question about the given context (for example a selection), as a new turn. */
  askAbout(
    question: string,
    blocks: ContextBlock[],
    cancellation?: vscode.CancellationToken,
  ): Promise<RequestOutcome | undefined> {
    return this.ask(question, { context: asAttachments(blocks), cancellation });
  }

  /** Adds an exchange that happened elsewhere (an inline explanation) so the user can follow up. */
  async adoptTurn(question: string, blocks: ContextBlock[], answer: string, model?: string): Promise<void> {
    const conversation = await this.current();
    const context = asAttachments(blocks).map((c) => c.chip);
    const id = newId('turn');
    const turn: StoredTurn = {
      id,
      question,
      context,
      contextBlocks: blocks,
      answer,
      reasoning: '',
      status: 'done',
      model,
    };
    await this.addTurn(conversation, turn);
    this.sink.post({ type: 'turnStarted', turn: toView({ ...turn, answer: '', status: 'streaming' }) });
    this.sink.post({ type: 'delta', requestId: turn.id, content: answer, reasoning: '' });
    this.sink.post({ type: 'turnDone', requestId: turn.id, status: 'done', model });
  }

  private async addTurn(conversation: Conversation, turn: StoredTurn, mode?: ChatMode): Promise<void> {
    conversation.mode ??= mode;
    if (!conversation.turns.includes(turn)) conversation.turns.push(turn);
    conversation.title ||= turn.question.split('\n')[0].slice(0, 80);
    conversation.updatedAt = Date.now();
    await this.state.update(ACTIVE_CONVERSATION, conversation.id);
    await this.store.save(conversation);
  }

  /** Stops the answer being generated, if any. */
  stop(): void {
    this.active?.controller.abort();
  }

  private async settle(): Promise<void> {
    this.stop();
    await this.active?.done;
  }

  async newChat(): Promise<void> {
    await this.settle();
    await this.current();
    this.conversation = emptyConversation();
    await this.state.update(ACTIVE_CONVERSATION, this.conversation.id);
    this.sink.post(await this.init());
  }

  async open(id: string): Promise<void> {
    const conversation = await this.store.load(id);
    if (!conversation) return;
    await this.settle();
    this.show(conversation);
    await this.state.update(ACTIVE_CONVERSATION, id);
    this.sink.post(await this.init());
  }

  async remove(id: string): Promise<void> {
    // A streaming turn saves its conversation when it ends: stop it first, or it comes back.
    if (id === this.conversation.id) await this.settle();
    await this.store.delete(id);
    if (id === this.conversation.id) await this.newChat();
    await this.showHistory();
  }

  /** Asks the model to go on with an answer that stopped at the token limit, appended to it. */
  async continue(requestId: string): Promise<RequestOutcome | undefined> {
    const conversation = await this.current();
    const turn = conversation.turns.find((t) => t.id === requestId);
    if (!turn || turn.status === 'streaming') return undefined;
    return this.ask(turn.question, { continues: turn });
  }

  /** Sends a turn again: the same question and context, in place of its failed answer. */
  async retry(requestId: string): Promise<RequestOutcome | undefined> {
    const conversation = await this.current();
    const turn = conversation.turns.find((t) => t.id === requestId);
    if (!turn || turn.status === 'streaming' || this.active) return undefined;
    return this.ask(turn.question, { context: asAttachments(turn.contextBlocks), replace: turn });
  }

  /** Asks the model a question in the current conversation, with the pending context. */
  async ask(question: string, options: AskOptions = {}): Promise<RequestOutcome | undefined> {
    const text = question.trim();
    if (!text) return undefined;
    if (this.active) {
      if (options.clientId) {
        this.sink.post({
          type: 'refused',
          clientId: options.clientId,
          message: t('Wait for the current answer, or stop it first.'),
          actions: [],
        });
      }
      return undefined;
    }
    const controller = new AbortController();
    const earlier = options.continues ?? options.replace;
    // A prompt file may ask for a mode for its turn; otherwise the conversation's.
    const agent = earlier ? earlier.mode === 'agent' : (options.mode ?? this.mode) === 'agent';
    const run = { ...options, mode: agent ? ('agent' as const) : ('ask' as const) };
    const turn = agent ? this.agent.run(text, run, controller.signal) : this.runTurn(text, run, controller.signal);
    this.active = { controller, done: turn.then((ended) => ended.outcome) };
    let ended: TurnEnd;
    try {
      ended = await turn;
    } finally {
      this.active = undefined;
    }
    // The panel hears that the turn ended only now that it is saved and the next question is accepted.
    if (ended.message) this.sink.post(ended.message);
    this.postBudget();
    return ended.outcome;
  }

  private async runTurn(text: string, options: AskOptions, signal: AbortSignal): Promise<TurnEnd> {
    let turn: StoredTurn | undefined;
    let conversation: Conversation | undefined;
    const batcher = new DeltaBatcher((content, reasoning) => {
      if (turn) this.sink.post({ type: 'delta', requestId: turn.id, content, reasoning });
    });
    const rules = await rulesOfTurn(await this.current());
    this.lastRules = rules.rules;
    const prompt = (settings: RequestSettings) =>
      turnPrompt(settings, conversation?.turns ?? [], turn, text, options.continues, rules.rules);
    const thinking = (await this.current()).thinkingOff ? false : undefined;
    const spec = { signal, token: options.cancellation, prompt, thinking };
    const outcome = await this.requests.run(spec, async (event) => {
      if (event.type === 'connected') {
        // The question is saved before anything is sent: nothing the user typed is lost.
        conversation = await this.current();
        turn = await this.startTurn(conversation, text, options);
      } else if (event.type === 'model') {
        if (turn) turn.model = event.model;
        this.setModel(event.model);
      } else if (event.type === 'fitted') {
        this.noteFit(event.window, event.fitted.tokens, event.fitted.rawTokens);
        const recorded = turn && conversation ? recordRules(conversation, turn, rules, event.fitted) : undefined;
        if (recorded?.message) this.sink.post(recorded.message);
        const notes = [...fitNotes(event.fitted), ...(recorded?.notes ?? [])];
        if (turn) turn.notes = notes.length ? notes : undefined;
        if (turn && notes.length) this.sink.post({ type: 'fitted', requestId: turn.id, notes });
      } else if (event.type === 'retryWait') {
        batcher.flush();
        const message = describeRetryWait(event.wait, t);
        if (turn) this.sink.post({ type: 'waiting', requestId: turn.id, message });
      } else if ((event.type === 'content' || event.type === 'reasoning') && turn) {
        if (event.type === 'content') turn.answer += event.text;
        else {
          turn.reasoning += event.text;
          this.sawThinking(turn.model);
        }
        batcher.add(event.type, event.text);
      }
    });
    batcher.flush();
    if (!turn || !conversation) {
      // Not connected, so nothing was sent and no turn exists: the question stays where it was typed.
      if (!outcome.error) return {};
      if (!options.clientId) void showError(outcome.error, this.log);
      return { outcome, message: options.clientId ? refusal(options.clientId, outcome.error) : undefined };
    }
    const message = endTurn(turn, outcome);
    conversation.updatedAt = Date.now();
    await this.save(conversation);
    return { outcome: { ...outcome, requestId: turn.id, answer: turn.answer }, message };
  }

  async startTurn(conversation: Conversation, text: string, options: AskOptions): Promise<StoredTurn> {
    if (options.continues) {
      // The answer goes on where it stopped: the panel shows the turn streaming again, text kept.
      const turn = options.continues;
      Object.assign(turn, { status: 'streaming', error: undefined, cutOff: undefined, stepLimit: undefined });
      await this.addTurn(conversation, turn);
      this.sink.post({ type: 'turnStarted', turn: toView(turn) });
      return turn;
    }
    const context = options.context ?? this.attachments.take();
    // A retried turn is reset in place, keeping its id and its place in the conversation.
    const turn: StoredTurn = Object.assign(options.replace ?? { id: newId('turn') }, {
      question: text,
      context: context.map((c) => c.chip),
      contextBlocks: context.map((c) => c.block),
      answer: '',
      reasoning: '',
      status: 'streaming',
      error: undefined,
      usage: undefined,
      notes: undefined,
      cutOff: undefined,
      steps: undefined,
      agentSteps: undefined,
      stepLimit: undefined,
    } as const);
    await this.addTurn(conversation, turn, options.mode);
    this.sink.post({ type: 'turnStarted', turn: toView(turn), clientId: options.clientId });
    return turn;
  }

  /** A model that thinks offers the Think switch from now on. */
  sawThinking(model: string | undefined): void {
    if (!model || this.thinkingSeen.has(model)) return;
    this.thinkingSeen.add(model);
    this.postThinking();
  }

  /** The model last used or chosen; the panel shows it. */
  get model(): string {
    return requestSettings().model || this.lastModel;
  }

  /** Shows the model in the panel: when a turn uses another one, and always when the user chose it. */
  setModel(model: string, chosen = false): void {
    if (model === this.lastModel && !chosen) return;
    this.lastModel = model;
    this.sink.post({ type: 'model', model });
    this.postThinking();
  }
}
