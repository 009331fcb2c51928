/**
 * An agent turn's steps and changed files. Every text in them (paths, commands, diffs, tool output)
 * comes from the model or the workspace and goes into the DOM as text only.
 */
import type { HostMessage, StepView, TurnChanges } from '../shared/protocol';
import { el } from './dom';
import { s, state } from './state';

function button(label: string, kind: 'primary' | 'secondary', data: Record<string, string>): HTMLButtonElement {
  const node = el('button', kind, label);
  Object.assign(node.dataset, data);
  return node;
}

/** The changed lines of an edit, each as a line of its own kind. */
function diffBlock(diff: string): HTMLElement {
  const pre = el('pre', 'diff');
  for (const line of diff.split('\n')) {
    const kind = line.startsWith('+ ') ? 'add' : line.startsWith('- ') ? 'del' : line.startsWith('@@') ? 'hunk' : 'ctx';
    pre.append(el('span', `diff-line ${kind}`, line));
  }
  return pre;
}

/** Control and direction characters made visible: what is approved is what is seen. */
export function visible(text: string): string {
  return text.replace(
    /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u{${c.charCodeAt(0).toString(16)}}`,
  );
}

function stepTitle(step: StepView): string {
  // Functions as replacements: a `$&` in a path or command is text, not a pattern.
  const template = s().stepTitles[step.tool] ?? s().stepOtherTool.replace('{0}', () => step.tool);
  const subject = visible(step.subject).replace(/\s+/g, ' ');
  return template.includes('{0}') ? template.replace('{0}', () => subject) : `${template} ${subject}`;
}

export function renderStep(requestId: string, step: StepView): HTMLElement {
  const card = el('div', `step ${step.status}`);
  card.dataset.step = step.id;
  const head = el('div', 'step-head');
  const title = el('span', 'step-title', stepTitle(step));
  title.title = title.textContent ?? '';
  head.append(title, el('span', 'step-status', s().stepStatus[step.status]));
  card.append(head);
  if (step.status === 'asking' && step.ask) {
    const ask = el('p', 'step-ask', s().stepAsks[step.ask]);
    if (step.sensitive) ask.append(' ', el('strong', undefined, s().stepSensitive));
    card.append(ask);
  }
  if (step.detail) card.append(el('pre', 'step-detail', visible(step.detail)));
  if (step.diff) card.append(diffBlock(step.diff));
  const actions = el('div', 'step-actions');
  const ids = { requestId, stepId: step.id };
  if (step.status === 'asking' && step.ask) {
    actions.append(
      button(s().decisions.approve[step.ask], 'primary', { ...ids, decide: 'approve' }),
      button(s().decisions.reject[step.ask], 'secondary', { ...ids, decide: 'reject' }),
    );
    if (step.ask === 'command' || step.ask === 'tool') {
      actions.append(button(s().decisions.always, 'secondary', { ...ids, decide: 'always' }));
    }
  }
  if (step.diff && (step.tool === 'edit_file' || step.tool === 'create_file')) {
    actions.append(button(s().openDiff, 'secondary', { ...ids, openDiff: '1' }));
  }
  if (actions.childElementCount) card.append(actions);
  if (step.output && step.status !== 'asking') {
    const output = el('details', 'step-output');
    output.append(el('summary', undefined, s().stepOutput), el('pre', undefined, step.output));
    card.append(output);
  }
  return card;
}

/** Shows (or replaces) one step in its turn. */
export function showStep(message: Extract<HostMessage, { type: 'step' }>): boolean {
  const ui = state.turns.get(message.requestId);
  if (!ui) return false;
  const steps = (ui.turn.steps ??= []);
  const at = steps.findIndex((step) => step.id === message.step.id);
  if (at === -1) steps.push(message.step);
  else steps[at] = message.step;
  const card = renderStep(message.requestId, message.step);
  const old = ui.steps.querySelector<HTMLElement>(`[data-step="${CSS.escape(message.step.id)}"]`);
  if (old) old.replaceWith(card);
  else ui.steps.append(card);
  return true;
}

export function renderChanges(requestId: string, changes: TurnChanges | undefined, target: HTMLElement): void {
  target.replaceChildren();
  if (!changes || changes.files.length === 0) return;
  target.append(el('div', 'changes-title', s().changedFiles));
  const list = el('ul', 'changes-list');
  for (const file of changes.files) {
    const item = el('li', undefined, file.path);
    if (file.created) item.append(' ', el('span', 'created', s().created));
    list.append(item);
  }
  target.append(list);
  if (changes.state === 'pending') {
    const actions = el('div', 'step-actions');
    actions.append(
      button(s().keep, 'primary', { changes: 'keep', requestId }),
      button(s().undoAll, 'secondary', { changes: 'undo', requestId }),
    );
    target.append(actions);
  } else {
    target.append(el('p', 'note', s().changesState[changes.state]));
  }
}

export function showChanges(message: Extract<HostMessage, { type: 'changes' }>): boolean {
  const ui = state.turns.get(message.requestId);
  if (!ui) return false;
  ui.turn.changes = message.changes;
  renderChanges(message.requestId, message.changes, ui.changes);
  return true;
}
