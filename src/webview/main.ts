/**
 * The chat webview. DOM only: it talks to the host through postMessage and never to the network.
 * Model output reaches the DOM only through renderMarkdown (sanitized) or textContent.
 */
import type { ChatAction, ContextChip, HostMessage, TurnView, WebviewMessage, WebviewStrings } from '../shared/protocol';
import { warmUpWhenIdle } from './markdown';
import { StreamingMarkdown } from './streaming';

interface VsCodeApi {
  postMessage(message: WebviewMessage): void;
  getState(): SavedState | undefined;
  setState(state: SavedState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

interface SavedState {
  strings?: WebviewStrings;
  turns: TurnView[];
  model: string;
  context: ContextChip[];
  draft: string;
}

interface TurnUi {
  turn: TurnView;
  root: HTMLElement;
  thinking: HTMLDetailsElement;
  reasoning: StreamingMarkdown;
  content: StreamingMarkdown;
  footer: HTMLElement;
}

const vscode = acquireVsCodeApi();
const saved = vscode.getState();
let strings: WebviewStrings | undefined = saved?.strings;
let model = saved?.model ?? '';
let context: ContextChip[] = saved?.context ?? [];
let hasSelection = false;
let pendingClientId: string | undefined;
const turns = new Map<string, TurnUi>();
let order: string[] = [];

const el = <K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] => {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
};
const s = (): WebviewStrings => strings as WebviewStrings;
const post = (message: WebviewMessage) => vscode.postMessage(message);

// Layout.
const app = el('div', 'app');
const header = el('header', 'toolbar');
const modelButton = el('button', 'model');
header.append(modelButton);
const log = el('main', 'log');
log.setAttribute('aria-live', 'polite');
const empty = el('div', 'empty');
const historyPanel = el('div', 'history-panel');
historyPanel.hidden = true;
const composer = el('footer', 'composer');
const notice = el('div', 'notice');
notice.setAttribute('role', 'alert');
notice.hidden = true;
const chips = el('div', 'chips');
const input = el('textarea', 'input');
input.rows = 3;
const row = el('div', 'composer-row');
const attachSelection = el('button', 'secondary attach-selection');
const attachFile = el('button', 'secondary attach-file');
const sendButton = el('button', 'primary send');
row.append(attachSelection, attachFile, el('span', 'spacer'), sendButton);
composer.append(notice, chips, input, row);
app.append(header, historyPanel, log, composer);
document.body.append(app);
input.value = saved?.draft ?? '';

let saveTimer: ReturnType<typeof setTimeout> | undefined;
/** Saves what a re-created webview needs to show at once; at most once a second while streaming. */
function saveState(now = false): void {
  const write = () => {
    saveTimer = undefined;
    vscode.setState({ strings, turns: order.map((id) => turns.get(id)?.turn).filter((t): t is TurnView => !!t), model, context, draft: input.value });
  };
  if (now) {
    if (saveTimer) clearTimeout(saveTimer);
    write();
  } else {
    saveTimer ??= setTimeout(write, 1000);
  }
}

// Following the answer as it grows is left to CSS scroll anchoring (see chat.css): the anchor at
// the end keeps the view at the bottom while the user is there, and nothing reads layout per frame.
const anchor = el('div', 'scroll-anchor');
function toBottom(): void {
  log.append(anchor);
  anchor.scrollIntoView({ block: 'end' });
}

/** Adds Copy / Insert / Replace buttons to each code block not yet decorated. */
function decorate(container: HTMLElement): void {
  for (const pre of Array.from(container.querySelectorAll('pre'))) {
    if (pre.parentElement?.classList.contains('code-block')) continue;
    const wrapper = el('div', 'code-block');
    const bar = el('div', 'code-actions');
    bar.append(codeButton('copy', s().copy), codeButton('insert', s().insert));
    if (hasSelection) bar.append(codeButton('replaceSelection', s().replaceSelection));
    pre.replaceWith(wrapper);
    wrapper.append(bar, pre);
  }
}
function codeButton(action: 'copy' | 'insert' | 'replaceSelection', label: string): HTMLButtonElement {
  const button = el('button', `code-action ${action}`, label);
  button.dataset.codeAction = action;
  return button;
}

function renderChips(target: HTMLElement, list: ContextChip[], removable: boolean): void {
  target.replaceChildren(
    ...list.map((chip) => {
      const node = el('span', `chip ${chip.kind}`, chip.label);
      if (removable) {
        const remove = el('button', 'chip-remove', '×');
        remove.title = s().removeContext;
        remove.setAttribute('aria-label', `${s().removeContext}: ${chip.label}`);
        remove.dataset.removeContext = chip.id;
        node.append(remove);
      }
      return node;
    }),
  );
}

function renderFooter(ui: TurnUi): void {
  const { turn, footer } = ui;
  footer.replaceChildren();
  if (turn.status !== 'streaming' && turn.reasoning && !turn.answer && turn.status === 'done') {
    ui.thinking.open = true;
    footer.append(el('p', 'note', s().noSeparateAnswer));
  }
  if (turn.status === 'stopped') footer.append(el('p', 'note stopped', s().stopped));
  if (turn.error) {
    const box = el('div', 'error');
    box.setAttribute('role', 'alert');
    box.append(el('p', 'error-message', turn.error.message));
    const actions = el('div', 'error-actions');
    for (const action of turn.error.actions) {
      const button = el('button', action === turn.error.actions[0] ? 'primary' : 'secondary', s().actions[action]);
      button.dataset.errorAction = action;
      button.dataset.requestId = turn.id;
      actions.append(button);
    }
    box.append(actions);
    footer.append(box);
  }
  const meta: string[] = [];
  if (turn.model) meta.push(turn.model);
  if (turn.usage) meta.push(s().tokens.replace('{0}', String(turn.usage.promptTokens)).replace('{1}', String(turn.usage.completionTokens)));
  if (meta.length && turn.status !== 'streaming') footer.append(el('p', 'meta', meta.join(' · ')));
}

function addTurn(turn: TurnView): TurnUi {
  const root = el('section', 'turn');
  root.dataset.id = turn.id;
  const question = el('div', 'question');
  const questionChips = el('div', 'chips');
  renderChips(questionChips, turn.context, false);
  question.append(el('div', 'who', s().you), questionChips, el('div', 'question-text', turn.question));
  const answer = el('div', 'answer');
  const thinking = el('details', 'thinking');
  thinking.append(el('summary', undefined, s().thinking));
  const reasoningBody = el('div', 'reasoning md');
  thinking.append(reasoningBody);
  thinking.hidden = !turn.reasoning;
  thinking.open = !!turn.reasoning && !turn.answer;
  const contentBody = el('div', 'content md');
  const footer = el('div', 'turn-footer');
  answer.append(el('div', 'who', s().assistant), thinking, contentBody, footer);
  root.append(question, answer);
  log.insertBefore(root, anchor.parentElement === log ? anchor : null);
  const ui: TurnUi = {
    turn,
    root,
    thinking,
    footer,
    reasoning: new StreamingMarkdown(reasoningBody, decorate),
    content: new StreamingMarkdown(contentBody, decorate),
  };
  ui.reasoning.reset(turn.reasoning);
  ui.content.reset(turn.answer);
  root.classList.toggle('streaming', turn.status === 'streaming');
  renderFooter(ui);
  turns.set(turn.id, ui);
  order.push(turn.id);
  return ui;
}

function streaming(): boolean {
  return order.some((id) => turns.get(id)?.turn.status === 'streaming');
}

function renderChrome(): void {
  if (!strings) return;
  modelButton.textContent = `${s().modelLabel}: ${model || s().noModel}`;
  modelButton.title = s().chooseModel;
  attachSelection.textContent = s().attachSelection;
  attachFile.textContent = s().attachFile;
  input.placeholder = s().placeholder;
  const busy = streaming();
  sendButton.textContent = busy ? s().stop : s().send;
  sendButton.classList.toggle('stop', busy);
  renderChips(chips, context, true);
  empty.replaceChildren(el('h2', undefined, s().emptyTitle), el('p', undefined, s().emptyHint));
  if (order.length === 0) log.replaceChildren(empty);
  else empty.remove();
}

function renderAll(list: TurnView[]): void {
  turns.clear();
  order = [];
  log.replaceChildren();
  for (const turn of list) addTurn(turn);
  renderChrome();
  toBottom();
}

function send(): void {
  if (!strings) return;
  const text = input.value;
  if (!text.trim()) return;
  pendingClientId = `c${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  notice.hidden = true;
  post({ type: 'send', clientId: pendingClientId, text });
}

input.addEventListener('keydown', (event) => {
  // Enter while an input method composes (Korean, Japanese, Chinese) confirms the syllable; it must not send.
  if (event.isComposing || event.keyCode === 229) return;
  if (event.key === 'Enter' && !event.shiftKey && !event.altKey && !event.ctrlKey && !event.metaKey) {
    event.preventDefault();
    if (!streaming()) send();
  }
});
input.addEventListener('input', () => saveState());
sendButton.addEventListener('click', () => (streaming() ? post({ type: 'stop' }) : send()));
modelButton.addEventListener('click', () => post({ type: 'selectModel' }));
attachSelection.addEventListener('click', () => post({ type: 'attach', kind: 'selection' }));
attachFile.addEventListener('click', () => post({ type: 'attach', kind: 'file' }));

document.addEventListener('click', (event) => {
  const target = event.target as HTMLElement;
  const link = target.closest('a');
  if (link) {
    event.preventDefault();
    const href = link.getAttribute('href');
    if (href && !href.startsWith('#')) post({ type: 'openLink', href });
    return;
  }
  const code = target.closest<HTMLElement>('[data-code-action]');
  if (code) {
    const text = code.closest('.code-block')?.querySelector('pre')?.textContent ?? '';
    const action = code.dataset.codeAction as 'copy' | 'insert' | 'replaceSelection';
    post({ type: action, text });
    if (action === 'copy') {
      code.textContent = s().copied;
      setTimeout(() => (code.textContent = s().copy), 1500);
    }
    return;
  }
  const errorAction = target.closest<HTMLElement>('[data-error-action]');
  if (errorAction) {
    const action = errorAction.dataset.errorAction as ChatAction;
    const requestId = errorAction.dataset.requestId ?? '';
    post(action === 'retry' ? { type: 'retry', requestId } : { type: 'action', action, requestId });
    return;
  }
  const remove = target.closest<HTMLElement>('[data-remove-context]');
  if (remove) {
    post({ type: 'removeContext', id: remove.dataset.removeContext ?? '' });
    return;
  }
  const conversation = target.closest<HTMLElement>('[data-conversation]');
  if (conversation) {
    const id = conversation.dataset.conversation ?? '';
    post(conversation.dataset.op === 'delete' ? { type: 'deleteConversation', id } : { type: 'openConversation', id });
    if (conversation.dataset.op !== 'delete') historyPanel.hidden = true;
  }
});

function showNotice(message: string, actions: ChatAction[]): void {
  notice.replaceChildren(el('p', undefined, message));
  const buttons = el('div', 'error-actions');
  for (const action of actions) {
    const button = el('button', 'secondary', s().actions[action]);
    button.dataset.errorAction = action;
    buttons.append(button);
  }
  notice.append(buttons);
  notice.hidden = false;
}

function handle(message: HostMessage): void {
  switch (message.type) {
    case 'init':
      strings = message.strings;
      model = message.model;
      context = message.context;
      hasSelection = message.hasSelection;
      renderAll(message.turns);
      saveState(true);
      return;
    case 'turnStarted': {
      if (message.clientId && message.clientId === pendingClientId) {
        input.value = '';
        pendingClientId = undefined;
      }
      const existing = turns.get(message.turn.id);
      if (existing) {
        existing.root.remove();
        order = order.filter((id) => id !== message.turn.id);
      }
      empty.remove();
      addTurn(message.turn);
      renderChrome();
      // The user just asked: show the new turn, and from here follow the answer.
      toBottom();
      saveState(true);
      return;
    }
    case 'delta': {
      const ui = turns.get(message.requestId);
      if (!ui) return;
      if (message.reasoning) {
        ui.turn.reasoning += message.reasoning;
        ui.thinking.hidden = false;
        if (!ui.turn.answer) ui.thinking.open = true;
        ui.reasoning.append(message.reasoning);
      }
      if (message.content) {
        // The answer started: the thinking collapses.
        if (!ui.turn.answer && ui.turn.reasoning) ui.thinking.open = false;
        ui.turn.answer += message.content;
        ui.content.append(message.content);
      }
      saveState();
      return;
    }
    case 'turnDone':
    case 'turnError': {
      const ui = turns.get(message.requestId);
      if (!ui) return;
      ui.content.flush();
      ui.reasoning.flush();
      ui.turn.status = message.status;
      if (message.type === 'turnDone') {
        ui.turn.usage = message.usage;
        ui.turn.model = message.model ?? ui.turn.model;
      } else {
        ui.turn.error = { message: message.message, actions: message.actions };
      }
      ui.root.classList.remove('streaming');
      renderFooter(ui);
      renderChrome();
      saveState(true);
      return;
    }
    case 'refused':
      if (message.clientId === pendingClientId) pendingClientId = undefined;
      showNotice(message.message, message.actions);
      return;
    case 'context':
      context = message.context;
      renderChrome();
      saveState();
      return;
    case 'model':
      model = message.model;
      renderChrome();
      saveState();
      return;
    case 'selection':
      hasSelection = message.hasSelection;
      return;
    case 'history': {
      historyPanel.replaceChildren();
      const head = el('div', 'history-head');
      const close = el('button', 'icon', '×');
      close.title = s().close;
      close.addEventListener('click', () => (historyPanel.hidden = true));
      head.append(el('h3', undefined, s().history), el('span', 'spacer'), close);
      historyPanel.append(head);
      if (message.conversations.length === 0) historyPanel.append(el('p', 'note', s().historyEmpty));
      for (const item of message.conversations) {
        const line = el('div', 'history-item');
        const open = el('button', 'link', item.title);
        open.dataset.conversation = item.id;
        open.dataset.op = 'open';
        const remove = el('button', 'icon', '🗑');
        remove.title = s().delete;
        remove.setAttribute('aria-label', `${s().delete}: ${item.title}`);
        remove.dataset.conversation = item.id;
        remove.dataset.op = 'delete';
        line.append(open, el('span', 'meta', new Date(item.updatedAt).toLocaleString()), remove);
        historyPanel.append(line);
      }
      historyPanel.hidden = false;
      return;
    }
    case 'prefill':
      input.value = message.text;
      input.focus();
      saveState();
      return;
  }
}

window.addEventListener('message', (event: MessageEvent<HostMessage>) => handle(event.data));

// Show what was on screen at once, before the host answers.
if (saved?.strings) renderAll(saved.turns);
post({ type: 'ready' });
input.focus();
warmUpWhenIdle((sample) => {
  // Laid out where no one sees it, then removed: the streaming path, layout and fonts are warm.
  const probe = el('div', 'md warm-up');
  probe.setAttribute('aria-hidden', 'true');
  document.body.append(probe);
  const markdown = new StreamingMarkdown(probe, decorate, () => undefined);
  for (let i = 0; i < sample.length; i += 3) markdown.append(sample.slice(i, i + 3));
  markdown.flush();
  void probe.offsetHeight;
  probe.remove();
});
