/**
 * Every message between the extension host and the chat webview, in both directions. Both sides
 * import this module; it has no `vscode` and no DOM dependency.
 *
 * A turn has a request id; its stream is `turnStarted`, then `delta`s, then exactly one `turnDone`
 * or `turnError`. The webview says `ready` first; the host answers with `init` (the whole state)
 * and only then sends anything else.
 */

/** A next step offered with an error; the same set the notifications offer. */
export type ChatAction =
  'setToken' | 'openSettings' | 'selectModel' | 'retry' | 'retryLessContext' | 'showLog' | 'continue';

/**
 * What can be attached (the `@` menu): the selection, the current file, files picked from the
 * workspace, the problems of the current file or the workspace, the visible editors, the last
 * terminal command with its output.
 */
export type AttachKind = 'selection' | 'file' | 'files' | 'problems' | 'workspaceProblems' | 'editors' | 'terminal';
export const ATTACH_KINDS: readonly AttachKind[] = [
  'selection',
  'file',
  'files',
  'problems',
  'workspaceProblems',
  'editors',
  'terminal',
];

/** Context attached to a question, shown as a removable chip. The text stays in the host. */
export interface ContextChip {
  id: string;
  kind: 'selection' | 'file' | 'problems' | 'editors' | 'terminal';
  /** For example `app.ts:10-24` or `app.ts`. */
  label: string;
  /** Estimated tokens it adds to the request. */
  tokens?: number;
}

export interface TurnUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

export type TurnStatus = 'streaming' | 'done' | 'stopped' | 'error';

/** How the panel answers: a conversation (Ask), or an agent that uses tools on the workspace. */
export type ChatMode = 'ask' | 'agent';

/** Where a step of an agent turn is. */
export type StepStatus = 'running' | 'asking' | 'done' | 'failed' | 'rejected' | 'stopped';

/**
 * What a step asks the user before it runs: to read a file that may hold secrets or that git
 * ignores, to apply an edit or create a file, to run a command, or to call another extension's tool.
 */
export type StepAsk = 'read' | 'edit' | 'create' | 'command' | 'tool';
export const STEP_ASKS: readonly StepAsk[] = ['read', 'edit', 'create', 'command', 'tool'];

/** The user's answer to a step that asks: `always` allows this command or tool in this workspace. */
export type StepDecision = 'approve' | 'reject' | 'always';

/** A slash command the `/` menu offers: built in, or one of the team's prompt files. */
export interface SlashCommandView {
  name: string;
  description: string;
  source: 'builtIn' | 'file';
}

/** One tool call of an agent turn, as the panel shows it. Every text in it is shown as text. */
export interface StepView {
  id: string;
  /** The tool's name (`read_file`, or another extension's tool). */
  tool: string;
  /** What it acts on: a path, a search, a command. */
  subject: string;
  status: StepStatus;
  ask?: StepAsk;
  /** The file looks like a secret, is ignored by git, or makes something run: said when asking. */
  sensitive?: boolean;
  /** What exactly is asked for, whole: the command, or another extension's tool's arguments. */
  detail?: string;
  /** The changed lines of an edit or a new file (`- ` and `+ ` lines). */
  diff?: string;
  /** The end of what the tool gave back. */
  output?: string;
}

/** The files an agent turn changed, and whether its changes were kept or undone. */
export interface TurnChanges {
  files: Array<{ path: string; created: boolean }>;
  /** `unavailable`: the undo record is gone (another window, or the editor was restarted). */
  state: 'pending' | 'kept' | 'undone' | 'unavailable';
}

/** One question and its answer, as the webview shows it. */
export interface TurnView {
  id: string;
  question: string;
  context: ContextChip[];
  answer: string;
  reasoning: string;
  status: TurnStatus;
  model?: string;
  usage?: TurnUsage;
  error?: { message: string; actions: ChatAction[] };
  /** What was left out or cut to fit the model's window, in the user's language. */
  notes?: string[];
  /** The answer stopped at the token limit; it can be continued. */
  cutOff?: boolean;
  /** An agent turn: its steps, the files it changed, and whether it stopped at the step limit. */
  mode?: ChatMode;
  steps?: StepView[];
  changes?: TurnChanges;
  stepLimit?: boolean;
  /** The rules files applied to the turn, by their paths (a chip each opens the file). */
  rules?: string[];
}

export interface ConversationSummary {
  id: string;
  title: string;
  updatedAt: number;
  turns: number;
  /** An Agent-mode conversation (the history marks it). */
  mode?: ChatMode;
}

/** The user-facing strings of the webview, translated by the host. */
export interface WebviewStrings {
  placeholder: string;
  send: string;
  stop: string;
  history: string;
  attachSelection: string;
  attachFile: string;
  removeContext: string;
  thinking: string;
  noSeparateAnswer: string;
  stopped: string;
  copy: string;
  copied: string;
  insert: string;
  replaceSelection: string;
  tokens: string;
  modelLabel: string;
  chooseModel: string;
  noModel: string;
  emptyTitle: string;
  emptyHint: string;
  historyEmpty: string;
  delete: string;
  close: string;
  you: string;
  assistant: string;
  actions: Record<ChatAction, string>;
  /** `{0}` tokens of `{1}`, for the gauge; and without a known window. */
  gauge: string;
  gaugeUnknown: string;
  /** After the gauge when earlier turns will be left out: one, and `{0}` of them. */
  gaugeOmittedOne: string;
  gaugeOmitted: string;
  cutOff: string;
  /** The `@` menu's entries. */
  mentions: Record<AttachKind, string>;
  modes: Record<ChatMode, string>;
  modeTitle: string;
  /** Said in Agent mode when the workspace is not trusted. */
  readOnly: string;
  /** A step's title by tool (`{0}`: its subject), and for another extension's tool. */
  stepTitles: Record<string, string>;
  stepOtherTool: string;
  stepStatus: Record<StepStatus, string>;
  /** What a step asks, by kind; `sensitive` is added for a secret or ignored file. */
  stepAsks: Record<StepAsk, string>;
  stepSensitive: string;
  decisions: { approve: Record<StepAsk, string>; reject: Record<StepAsk, string>; always: string };
  openDiff: string;
  /** The summary of a step's result, opened to read it. */
  stepOutput: string;
  changedFiles: string;
  created: string;
  keep: string;
  undoAll: string;
  changesState: Record<TurnChanges['state'], string>;
  stepLimit: string;
  /** Before the rules chips of a turn; and the toolbar's switch, with its states. */
  rulesLabel: string;
  rulesOn: string;
  rulesOff: string;
  rulesTitle: string;
  /** The Think switch, for models that think. */
  thinkOn: string;
  thinkOff: string;
  thinkTitle: string;
}

// Host -> webview.
export type HostMessage =
  /** The whole state; sent in answer to `ready` and when the conversation changes. */
  | {
      type: 'init';
      strings: WebviewStrings;
      turns: TurnView[];
      model: string;
      context: ContextChip[];
      hasSelection: boolean;
      budget?: { tokens: number; window?: number; factor: number };
      mode: ChatMode;
      /** Restricted Mode: Agent mode only reads. */
      readOnly: boolean;
      /** The repository's rules are off for this conversation. */
      rulesOff?: boolean;
      /** The model thinks (the Think switch is offered), and whether this conversation turned it off. */
      thinks?: boolean;
      thinkingOff?: boolean;
    }
  /** A question was accepted (`clientId` is the one `send` carried, so the composer may clear). */
  | { type: 'turnStarted'; turn: TurnView; clientId?: string }
  /** Text that arrived since the last delta of this turn. */
  | { type: 'delta'; requestId: string; content: string; reasoning: string }
  /** GenOS is busy or failed for a moment; the turn waits before trying again (Stop still ends it). */
  | { type: 'waiting'; requestId: string; message: string }
  | {
      type: 'turnDone';
      requestId: string;
      status: 'done' | 'stopped';
      usage?: TurnUsage;
      model?: string;
      cutOff?: boolean;
      stepLimit?: boolean;
    }
  /** A step of an agent turn, new or changed (the whole step each time). */
  | { type: 'step'; requestId: string; step: StepView }
  /** The files an agent turn changed, when the list or its state changes. */
  | { type: 'changes'; requestId: string; changes: TurnChanges }
  /** The conversation's mode (a conversation opened from the history has its own). */
  | { type: 'mode'; mode: ChatMode }
  /** Whether the repository's rules are off for this conversation. */
  | { type: 'rulesOff'; rulesOff: boolean }
  /** Whether the model thinks, and whether this conversation asks it not to. */
  | { type: 'thinking'; thinks: boolean; thinkingOff: boolean }
  /** The slash commands, when the panel asked for them. */
  | { type: 'commands'; commands: SlashCommandView[] }
  /** The rules applied to a turn, once its request is fitted. */
  | { type: 'turnRules'; requestId: string; rules: string[] }
  /** What the request of a turn left out to fit the window, once it is known. */
  | { type: 'fitted'; requestId: string; notes: string[] }
  /**
   * For the context gauge: tokens the next request takes before the typed question (system
   * prompt, history, attachments), the window when known, and the serving's correction factor.
   */
  /** What the next request sends (fitted to the window once it is known) and how many earlier turns it leaves out. */
  | { type: 'budget'; tokens: number; window?: number; factor: number; omitted?: number; exact?: boolean }
  | { type: 'turnError'; requestId: string; message: string; actions: ChatAction[]; status: 'error' | 'stopped' }
  /** A question was not sent (for example, nothing is configured); the composer keeps its text. */
  | { type: 'refused'; clientId: string; message: string; actions: ChatAction[] }
  | { type: 'context'; context: ContextChip[] }
  | { type: 'model'; model: string }
  | { type: 'selection'; hasSelection: boolean }
  | { type: 'history'; conversations: ConversationSummary[] }
  /** Put text in the composer (for example from a command), without sending. */
  | { type: 'prefill'; text: string };

// Webview -> host.
export type WebviewMessage =
  | { type: 'ready' }
  | { type: 'send'; clientId: string; text: string }
  | { type: 'stop' }
  | { type: 'retry'; requestId: string }
  | { type: 'action'; action: ChatAction; requestId?: string }
  | { type: 'newChat' }
  | { type: 'showHistory' }
  | { type: 'openConversation'; id: string }
  | { type: 'deleteConversation'; id: string }
  | { type: 'attach'; kind: AttachKind }
  | { type: 'removeContext'; id: string }
  | { type: 'copy'; text: string }
  | { type: 'insert'; text: string }
  | { type: 'replaceSelection'; text: string }
  | { type: 'openLink'; href: string }
  | { type: 'selectModel' }
  | { type: 'setMode'; mode: ChatMode }
  /** The user's answer to a step that asks. */
  | { type: 'decide'; requestId: string; stepId: string; decision: StepDecision }
  /** Opens a proposed edit in VS Code's diff editor. */
  | { type: 'openDiff'; requestId: string; stepId: string }
  | { type: 'keepChanges'; requestId: string }
  | { type: 'undoChanges'; requestId: string }
  /** Opens a rules file a turn used. */
  | { type: 'openRule'; requestId: string; rule: string }
  | { type: 'setRulesOff'; rulesOff: boolean }
  | { type: 'setThinkingOff'; thinkingOff: boolean }
  /** The `/` menu opens: which commands are there. */
  | { type: 'listCommands' };

const MAX_TEXT = 1_000_000;
const MAX_ID = 200;
/** Every next step the panel can offer, for checking messages and stored turns. */
export const CHAT_ACTIONS: readonly ChatAction[] = [
  'setToken',
  'openSettings',
  'selectModel',
  'retry',
  'retryLessContext',
  'showLog',
  'continue',
];

function isString(value: unknown, max: number): value is string {
  return typeof value === 'string' && value.length <= max;
}

/**
 * Checks a message from the webview. Returns it typed when it fits the protocol exactly, and
 * undefined otherwise: the host ignores what does not fit.
 */
export function parseWebviewMessage(value: unknown): WebviewMessage | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const m = value as Record<string, unknown>;
  switch (m.type) {
    case 'ready':
    case 'stop':
    case 'newChat':
    case 'showHistory':
    case 'selectModel':
    case 'listCommands':
      return { type: m.type };
    case 'send':
      return isString(m.clientId, MAX_ID) && isString(m.text, MAX_TEXT)
        ? { type: 'send', clientId: m.clientId, text: m.text }
        : undefined;
    case 'retry':
      return isString(m.requestId, MAX_ID) ? { type: 'retry', requestId: m.requestId } : undefined;
    case 'action': {
      if (!CHAT_ACTIONS.includes(m.action as ChatAction)) return undefined;
      if (m.requestId !== undefined && !isString(m.requestId, MAX_ID)) return undefined;
      return { type: 'action', action: m.action as ChatAction, requestId: m.requestId as string | undefined };
    }
    case 'openConversation':
    case 'deleteConversation':
    case 'removeContext':
      return isString(m.id, MAX_ID) ? { type: m.type, id: m.id } : undefined;
    case 'attach':
      return ATTACH_KINDS.includes(m.kind as AttachKind) ? { type: 'attach', kind: m.kind as AttachKind } : undefined;
    case 'copy':
    case 'insert':
    case 'replaceSelection':
      return isString(m.text, MAX_TEXT) ? { type: m.type, text: m.text } : undefined;
    case 'openLink':
      return isString(m.href, 4096) ? { type: 'openLink', href: m.href } : undefined;
    case 'setMode':
      return m.mode === 'ask' || m.mode === 'agent' ? { type: 'setMode', mode: m.mode } : undefined;
    case 'decide':
      return isString(m.requestId, MAX_ID) &&
        isString(m.stepId, MAX_ID) &&
        (m.decision === 'approve' || m.decision === 'reject' || m.decision === 'always')
        ? { type: 'decide', requestId: m.requestId, stepId: m.stepId, decision: m.decision }
        : undefined;
    case 'openDiff':
      return isString(m.requestId, MAX_ID) && isString(m.stepId, MAX_ID)
        ? { type: 'openDiff', requestId: m.requestId, stepId: m.stepId }
        : undefined;
    case 'keepChanges':
    case 'undoChanges':
      return isString(m.requestId, MAX_ID) ? { type: m.type, requestId: m.requestId } : undefined;
    case 'openRule':
      return isString(m.requestId, MAX_ID) && isString(m.rule, 4096)
        ? { type: 'openRule', requestId: m.requestId, rule: m.rule }
        : undefined;
    case 'setRulesOff':
      return typeof m.rulesOff === 'boolean' ? { type: 'setRulesOff', rulesOff: m.rulesOff } : undefined;
    case 'setThinkingOff':
      return typeof m.thinkingOff === 'boolean' ? { type: 'setThinkingOff', thinkingOff: m.thinkingOff } : undefined;
    default:
      return undefined;
  }
}

/** True for a link the host may open outside the editor: http(s) only. */
export function isOpenableLink(href: string): boolean {
  try {
    const url = new URL(href);
    // mailto: opens the user's mail program with nothing sent: it may be opened too.
    return url.protocol === 'https:' || url.protocol === 'http:' || url.protocol === 'mailto:';
  } catch {
    return false;
  }
}
