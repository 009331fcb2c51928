/** What the panel knows, and how it talks to the host and keeps state across a re-created webview. */
import type { ChatMode, ContextChip, TurnView, WebviewMessage, WebviewStrings } from '../shared/protocol';
import { input } from './layout';
import type { StreamingMarkdown } from './streaming';

interface VsCodeApi {
  postMessage(message: WebviewMessage): void;
  getState(): SavedState | undefined;
  setState(state: SavedState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

export interface SavedState {
  strings?: WebviewStrings;
  turns: TurnView[];
  model: string;
  context: ContextChip[];
  draft: string;
  mode?: ChatMode;
}

/** A turn on screen. */
export interface TurnUi {
  turn: TurnView;
  root: HTMLElement;
  thinking: HTMLDetailsElement;
  reasoning: StreamingMarkdown;
  content: StreamingMarkdown;
  footer: HTMLElement;
  /** An agent turn's steps, and the files it changed. */
  steps: HTMLElement;
  /** The rules files the turn applied. */
  rules: HTMLElement;
  changes: HTMLElement;
  /** While GenOS is busy: why, and when the next try is. */
  waiting?: string;
}

const vscode = acquireVsCodeApi();
export const saved = vscode.getState();

export const state = {
  strings: saved?.strings,
  model: saved?.model ?? '',
  context: saved?.context ?? ([] as ContextChip[]),
  hasSelection: false,
  /** The id of a `send` the host has not answered yet. */
  pendingClientId: undefined as string | undefined,
  turns: new Map<string, TurnUi>(),
  order: [] as string[],
  /** For the gauge: tokens before the typed question, the window when known, the correction. */
  mode: saved?.mode ?? ('ask' as ChatMode),
  /** Restricted Mode: Agent mode only reads. */
  readOnly: false,
  /** The repository's rules are off for this conversation. */
  rulesOff: false,
  /** The model thinks; this conversation asks it not to. */
  thinks: false,
  thinkingOff: false,
  budget: undefined as { tokens: number; window?: number; factor: number; omitted?: number } | undefined,
};

/** The strings; only called once the host has sent them. */
export const s = (): WebviewStrings => state.strings as WebviewStrings;

export const post = (message: WebviewMessage): void => vscode.postMessage(message);

let saveTimer: ReturnType<typeof setTimeout> | undefined;
/** Saves what a re-created webview needs to show at once; at most once a second while streaming. */
export function saveState(now = false): void {
  const write = () => {
    saveTimer = undefined;
    const turns = state.order.map((id) => state.turns.get(id)?.turn).filter((t): t is TurnView => !!t);
    vscode.setState({
      strings: state.strings,
      turns,
      model: state.model,
      context: state.context,
      draft: input.value,
      mode: state.mode,
    });
  };
  if (now) {
    if (saveTimer) clearTimeout(saveTimer);
    write();
  } else {
    saveTimer ??= setTimeout(write, 1000);
  }
}
