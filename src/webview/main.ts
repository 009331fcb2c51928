/**
 * The chat webview's entry: builds the panel, wires the user's input, and dispatches the host's
 * messages. DOM only: it talks to the host through postMessage and never to the network. Model
 * output reaches the DOM only through renderMarkdown (sanitized), highlightCode (checked to be
 * class-only spans) or textContent.
 */
import type { AttachKind, ChatAction, HostMessage, TurnView } from '../shared/protocol';
import { closeMentions, mentionKey, pickMention, updateMentions } from './mentions';
import { commandKey, pickCommand, setCommands, updateCommands } from './commands';
import { el } from './dom';
import { showHistory } from './history';
import {
  app,
  attachFile,
  attachSelection,
  chips,
  empty,
  gauge,
  historyPanel,
  input,
  log,
  modelButton,
  rulesButton,
  thinkButton,
  modeSwitch,
  askMode,
  agentMode,
  readOnlyNote,
  notice,
  sendButton,
  toBottom,
} from './layout';
import { warmUpWhenIdle } from './markdown';
import { post, s, saved, saveState, state } from './state';
import { StreamingMarkdown } from './streaming';
import {
  addTurn,
  appendDelta,
  removeTurn,
  renderRules,
  decorate,
  endTurn,
  formatTokens,
  renderChips,
  showFitted,
  showWaiting,
  streaming,
} from './turns';
import { modelDisplayName } from '../shared/modelNames';
import { showChanges, showStep } from './agentSteps';
import { estimateTokens, MESSAGE_OVERHEAD } from '../shared/tokens';

document.body.append(app);
input.value = saved?.draft ?? '';

function renderChrome(): void {
  if (!state.strings) return;
  // A snapshot path (`/model/snapshots/9eb2…`) is shown by a readable name; the full id in the tooltip.
  modelButton.textContent = `${s().modelLabel}: ${state.model ? modelDisplayName(state.model) : s().noModel}`;
  modelButton.title = state.model ? `${s().chooseModel} (${state.model})` : s().chooseModel;
  attachSelection.textContent = s().attachSelection;
  attachFile.textContent = s().attachFile;
  input.placeholder = s().placeholder;
  const busy = streaming();
  sendButton.textContent = busy ? s().stop : s().send;
  sendButton.classList.toggle('stop', busy);
  renderChips(chips, state.context, true);
  askMode.textContent = s().modes.ask;
  agentMode.textContent = s().modes.agent;
  modeSwitch.title = s().modeTitle;
  askMode.setAttribute('aria-pressed', String(state.mode === 'ask'));
  agentMode.setAttribute('aria-pressed', String(state.mode === 'agent'));
  thinkButton.hidden = !(state.thinks || state.thinkingOff);
  thinkButton.textContent = state.thinkingOff ? s().thinkOff : s().thinkOn;
  thinkButton.title = s().thinkTitle;
  thinkButton.setAttribute('aria-pressed', String(!state.thinkingOff));
  rulesButton.textContent = state.rulesOff ? s().rulesOff : s().rulesOn;
  rulesButton.title = s().rulesTitle;
  rulesButton.setAttribute('aria-pressed', String(!state.rulesOff));
  readOnlyNote.textContent = s().readOnly;
  readOnlyNote.hidden = !(state.mode === 'agent' && state.readOnly);
  empty.replaceChildren(el('h2', undefined, s().emptyTitle), el('p', undefined, s().emptyHint));
  if (state.order.length === 0) log.replaceChildren(empty);
  else empty.remove();
}

/** The context gauge: the next request's tokens (the typed question included) of the window. */
function renderGauge(): void {
  const budget = state.budget;
  if (!state.strings || !budget) {
    gauge.hidden = true;
    return;
  }
  const typed = input.value.trim() ? (estimateTokens(input.value) + MESSAGE_OVERHEAD) * budget.factor : 0;
  const used = Math.round(budget.tokens + typed);
  gauge.hidden = false;
  const omitted = budget.omitted
    ? ` · ${budget.omitted === 1 ? s().gaugeOmittedOne : s().gaugeOmitted.replace('{0}', String(budget.omitted))}`
    : '';
  gauge.textContent =
    (budget.window
      ? s().gauge.replace('{0}', formatTokens(used)).replace('{1}', formatTokens(budget.window))
      : s().gaugeUnknown.replace('{0}', formatTokens(used))) + omitted;
  gauge.title = gauge.textContent;
  gauge.classList.toggle('over', budget.window !== undefined && used > budget.window * 0.75);
}

function renderAll(list: TurnView[]): void {
  for (const ui of state.turns.values()) removeTurn(ui);
  state.turns.clear();
  state.order = [];
  log.replaceChildren();
  for (const turn of list) addTurn(turn);
  renderChrome();
  toBottom();
}

function send(): void {
  if (!state.strings) return;
  const text = input.value;
  if (!text.trim()) return;
  state.pendingClientId = `c${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  notice.hidden = true;
  post({ type: 'send', clientId: state.pendingClientId, text });
}

input.addEventListener('keydown', (event) => {
  // Enter while an input method composes (Korean, Japanese, Chinese) confirms the syllable; it must not send.
  if (event.isComposing || event.keyCode === 229) return;
  if (commandKey(event) || mentionKey(event)) return;
  if (event.key === 'Enter' && !event.shiftKey && !event.altKey && !event.ctrlKey && !event.metaKey) {
    event.preventDefault();
    if (!streaming()) send();
  }
});
input.addEventListener('input', () => {
  saveState();
  renderGauge();
  // The `/` menu while a command is typed at the start; the `@` menu otherwise.
  if (!updateCommands()) updateMentions();
});
input.addEventListener('blur', () => setTimeout(closeMentions, 150));
sendButton.addEventListener('click', () => (streaming() ? post({ type: 'stop' }) : send()));
modelButton.addEventListener('click', () => post({ type: 'selectModel' }));
rulesButton.addEventListener('click', () => post({ type: 'setRulesOff', rulesOff: !state.rulesOff }));
thinkButton.addEventListener('click', () => post({ type: 'setThinkingOff', thinkingOff: !state.thinkingOff }));
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
  const command = target.closest<HTMLElement>('[data-command]');
  if (command) {
    pickCommand(command.dataset.command ?? '');
    input.focus();
    return;
  }
  const mention = target.closest<HTMLElement>('[data-mention]');
  if (mention) {
    pickMention(mention.dataset.mention as AttachKind);
    input.focus();
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
  const rule = target.closest<HTMLElement>('[data-rule]');
  if (rule) {
    post({ type: 'openRule', requestId: rule.dataset.requestId ?? '', rule: rule.dataset.rule ?? '' });
    return;
  }
  const mode = target.closest<HTMLElement>('[data-mode]');
  if (mode) {
    post({ type: 'setMode', mode: mode.dataset.mode === 'agent' ? 'agent' : 'ask' });
    return;
  }
  const decide = target.closest<HTMLElement>('[data-decide]');
  if (decide) {
    const { requestId = '', stepId = '' } = decide.dataset;
    const decision =
      decide.dataset.decide === 'approve' ? 'approve' : decide.dataset.decide === 'always' ? 'always' : 'reject';
    // Answered once: the buttons go until the host shows the step again.
    decide
      .closest('.step-actions')
      ?.querySelectorAll('button[data-decide]')
      .forEach((b) => b.remove());
    post({ type: 'decide', requestId, stepId, decision });
    return;
  }
  const diff = target.closest<HTMLElement>('[data-open-diff]');
  if (diff) {
    post({ type: 'openDiff', requestId: diff.dataset.requestId ?? '', stepId: diff.dataset.stepId ?? '' });
    return;
  }
  const changes = target.closest<HTMLElement>('[data-changes]');
  if (changes) {
    const requestId = changes.dataset.requestId ?? '';
    post(changes.dataset.changes === 'undo' ? { type: 'undoChanges', requestId } : { type: 'keepChanges', requestId });
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
      state.strings = message.strings;
      state.model = message.model;
      state.context = message.context;
      state.hasSelection = message.hasSelection;
      state.budget = message.budget;
      state.mode = message.mode;
      state.readOnly = message.readOnly;
      state.rulesOff = message.rulesOff === true;
      state.thinks = message.thinks === true;
      state.thinkingOff = message.thinkingOff === true;
      renderAll(message.turns);
      renderGauge();
      saveState(true);
      return;
    case 'turnStarted':
      if (message.clientId && message.clientId === state.pendingClientId) {
        input.value = '';
        state.pendingClientId = undefined;
        renderGauge();
      }
      empty.remove();
      addTurn(message.turn);
      renderChrome();
      // The user just asked: show the new turn, and from here follow the answer.
      toBottom();
      saveState(true);
      return;
    case 'delta':
      if (appendDelta(message)) saveState();
      return;
    case 'waiting':
      showWaiting(message);
      return;
    case 'fitted':
      showFitted(message);
      return;
    case 'budget':
      state.budget = {
        tokens: message.tokens,
        window: message.window,
        factor: message.factor,
        omitted: message.omitted,
      };
      renderGauge();
      return;
    case 'turnDone':
    case 'turnError':
      if (!endTurn(message)) return;
      renderChrome();
      saveState(true);
      return;
    case 'refused':
      if (message.clientId === state.pendingClientId) state.pendingClientId = undefined;
      showNotice(message.message, message.actions);
      return;
    case 'context':
      state.context = message.context;
      renderChrome();
      saveState();
      return;
    case 'model':
      state.model = message.model;
      renderChrome();
      saveState();
      return;
    case 'selection':
      state.hasSelection = message.hasSelection;
      return;
    case 'history':
      showHistory(message.conversations);
      return;
    case 'commands':
      setCommands(message.commands);
      return;
    case 'step':
      if (showStep(message)) saveState();
      return;
    case 'changes':
      if (showChanges(message)) saveState(true);
      return;
    case 'mode':
      state.mode = message.mode;
      renderChrome();
      saveState();
      return;
    case 'rulesOff':
      state.rulesOff = message.rulesOff;
      renderChrome();
      return;
    case 'thinking':
      state.thinks = message.thinks;
      state.thinkingOff = message.thinkingOff;
      renderChrome();
      return;
    case 'turnRules': {
      const ui = state.turns.get(message.requestId);
      if (!ui) return;
      ui.turn.rules = message.rules;
      renderRules(ui);
      saveState();
      return;
    }
    case 'prefill':
      input.value = message.text;
      renderGauge();
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
  // Code blocks get their buttons only once the host has sent the strings (it may not have yet).
  const probe = el('div', 'md warm-up');
  probe.setAttribute('aria-hidden', 'true');
  document.body.append(probe);
  const markdown = new StreamingMarkdown(probe, (element) => state.strings && decorate(element));
  try {
    for (let i = 0; i < sample.length; i += 3) {
      markdown.append(sample.slice(i, i + 3));
      if (i % 30 === 0) markdown.flushNow();
    }
    markdown.finish();
    markdown.flushNow();
    void probe.offsetHeight;
  } finally {
    markdown.dispose();
    probe.remove();
  }
});
