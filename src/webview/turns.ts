/** Turns on screen: the question, the streaming answer and thinking, and the footer. */
import type { ContextChip, HostMessage, TurnView } from '../shared/protocol';
import { el } from './dom';
import { anchor, log } from './layout';
import { s, state, type TurnUi } from './state';
import { StreamingMarkdown } from './streaming';
import { renderChanges, renderStep } from './agentSteps';

/** A token count as people read it: 950, 1.2k, 34k. */
export function formatTokens(tokens: number): string {
  if (tokens < 1000) return String(Math.round(tokens));
  return tokens < 10_000 ? `${(tokens / 1000).toFixed(1)}k` : `${Math.round(tokens / 1000)}k`;
}

/** Adds Copy / Insert / Replace buttons to each code block not yet decorated. */
export function decorate(container: HTMLElement): void {
  for (const pre of Array.from(container.querySelectorAll('pre'))) {
    if (pre.parentElement?.classList.contains('code-block')) continue;
    const wrapper = el('div', 'code-block');
    const bar = el('div', 'code-actions');
    bar.append(codeButton('copy', s().copy), codeButton('insert', s().insert));
    if (state.hasSelection) bar.append(codeButton('replaceSelection', s().replaceSelection));
    pre.replaceWith(wrapper);
    wrapper.append(bar, pre);
  }
}

function codeButton(action: 'copy' | 'insert' | 'replaceSelection', label: string): HTMLButtonElement {
  const button = el('button', `code-action ${action}`, label);
  button.dataset.codeAction = action;
  return button;
}

export function renderChips(target: HTMLElement, list: ContextChip[], removable: boolean): void {
  target.replaceChildren(
    ...list.map((chip) => {
      const node = el('span', `chip ${chip.kind}`, chip.label);
      if (chip.tokens !== undefined) node.append(el('span', 'chip-tokens', formatTokens(chip.tokens)));
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

/** A note with Continue under it. */
function continueBox(kind: string, note: string, requestId: string): HTMLElement {
  const box = el('div', kind);
  box.append(el('p', 'note', note));
  const button = el('button', 'secondary', s().actions.continue);
  button.dataset.errorAction = 'continue';
  button.dataset.requestId = requestId;
  box.append(button);
  return box;
}

function renderFooter(ui: TurnUi): void {
  const { turn, footer } = ui;
  footer.replaceChildren();
  if (turn.status !== 'streaming' && turn.reasoning && !turn.answer && turn.status === 'done') {
    ui.thinking.open = true;
    footer.append(el('p', 'note', s().noSeparateAnswer));
  }
  if (ui.waiting && turn.status === 'streaming') {
    const note = el('p', 'note waiting', ui.waiting);
    note.setAttribute('role', 'status');
    footer.append(note);
  }
  for (const note of turn.notes ?? []) footer.append(el('p', 'note fitted', note));
  if (turn.status === 'stopped') footer.append(el('p', 'note stopped', s().stopped));
  // An answer cut off at the length limit, or an agent stopped at the step limit, may go on.
  if (turn.cutOff && turn.status === 'done') footer.append(continueBox('cut-off', s().cutOff, turn.id));
  if (turn.stepLimit && turn.status === 'done') {
    footer.append(continueBox('cut-off step-limit', s().stepLimit, turn.id));
  }
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
  if (turn.usage) {
    meta.push(
      s().tokens.replace('{0}', String(turn.usage.promptTokens)).replace('{1}', String(turn.usage.completionTokens)),
    );
  }
  if (meta.length && turn.status !== 'streaming') footer.append(el('p', 'meta', meta.join(' · ')));
}

/** The rules files a turn applied, each a chip that opens the file. */
export function renderRules(ui: TurnUi): void {
  const rules = ui.turn.rules ?? [];
  ui.rules.replaceChildren();
  if (rules.length === 0) return;
  ui.rules.append(el('span', 'rules-label', s().rulesLabel));
  for (const rule of rules) {
    const chip = el('button', 'chip rule', rule);
    chip.dataset.rule = rule;
    chip.dataset.requestId = ui.turn.id;
    ui.rules.append(chip);
  }
}

/** Each turn shown gets the next number: the newest turn's text renders first. */
let shown = 0;

/** Takes a turn off the page, with any rendering it still had queued. */
export function removeTurn(ui: TurnUi): void {
  ui.root.remove();
  ui.content.dispose();
  ui.reasoning.dispose();
}

/**
 * Shows a turn at the end of the log (in place of an earlier showing of the same turn). Its text
 * renders over the next frames, within the panel's frame budget.
 */
export function addTurn(turn: TurnView): TurnUi {
  const existing = state.turns.get(turn.id);
  if (existing) {
    removeTurn(existing);
    state.order = state.order.filter((id) => id !== turn.id);
  }
  const priority = ++shown;
  const root = el('section', 'turn');
  root.dataset.id = turn.id;
  const question = el('div', 'question');
  const questionChips = el('div', 'chips');
  renderChips(questionChips, turn.context, false);
  const rules = el('div', 'rules');
  question.append(el('div', 'who', s().you), questionChips, el('div', 'question-text', turn.question), rules);
  const answer = el('div', 'answer');
  const thinking = el('details', 'thinking');
  thinking.append(el('summary', undefined, s().thinking));
  const reasoningBody = el('div', 'reasoning md');
  thinking.append(reasoningBody);
  thinking.hidden = !turn.reasoning;
  thinking.open = !!turn.reasoning && !turn.answer;
  const contentBody = el('div', 'content md');
  const footer = el('div', 'turn-footer');
  const steps = el('div', 'steps');
  for (const step of turn.steps ?? []) steps.append(renderStep(turn.id, step));
  const changes = el('div', 'changes');
  renderChanges(turn.id, turn.changes, changes);
  answer.append(el('div', 'who', s().assistant), thinking, steps, contentBody, changes, footer);
  root.append(question, answer);
  log.insertBefore(root, anchor.parentElement === log ? anchor : null);
  const ui: TurnUi = {
    turn,
    root,
    thinking,
    footer,
    steps,
    changes,
    rules,
    reasoning: new StreamingMarkdown(reasoningBody, decorate, priority),
    content: new StreamingMarkdown(contentBody, decorate, priority),
  };
  ui.reasoning.reset(turn.reasoning, turn.status !== 'streaming');
  ui.content.reset(turn.answer, turn.status !== 'streaming');
  root.classList.toggle('streaming', turn.status === 'streaming');
  renderFooter(ui);
  renderRules(ui);
  state.turns.set(turn.id, ui);
  state.order.push(turn.id);
  return ui;
}

/** True while an answer is being generated. */
export function streaming(): boolean {
  return state.order.some((id) => state.turns.get(id)?.turn.status === 'streaming');
}

/** Notes what the turn's request left out to fit the model's window. */
export function showFitted(message: Extract<HostMessage, { type: 'fitted' }>): void {
  const ui = state.turns.get(message.requestId);
  if (!ui) return;
  ui.turn.notes = message.notes;
  renderFooter(ui);
}

/** Shows that the turn waits for GenOS to be ready again, until text arrives or it ends. */
export function showWaiting(message: Extract<HostMessage, { type: 'waiting' }>): void {
  const ui = state.turns.get(message.requestId);
  if (!ui || ui.turn.status !== 'streaming') return;
  ui.waiting = message.message;
  renderFooter(ui);
}

/** Adds streamed text to its turn; rendering waits for the next frame. */
export function appendDelta(message: Extract<HostMessage, { type: 'delta' }>): boolean {
  const ui = state.turns.get(message.requestId);
  if (!ui) return false;
  if (ui.waiting) {
    ui.waiting = undefined;
    renderFooter(ui);
  }
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
  return true;
}

/** Ends a turn: the rest of its text is rendered (over the next frames), and the footer says how it ended. */
export function endTurn(message: Extract<HostMessage, { type: 'turnDone' | 'turnError' }>): boolean {
  const ui = state.turns.get(message.requestId);
  if (!ui) return false;
  ui.content.finish();
  ui.reasoning.finish();
  ui.turn.status = message.status;
  if (message.type === 'turnDone') {
    ui.turn.usage = message.usage;
    ui.turn.model = message.model ?? ui.turn.model;
    ui.turn.cutOff = message.cutOff;
    ui.turn.stepLimit = message.stepLimit;
  } else {
    ui.turn.error = { message: message.message, actions: message.actions };
  }
  ui.root.classList.remove('streaming');
  ui.waiting = undefined;
  renderFooter(ui);
  return true;
}
