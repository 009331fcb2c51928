/** The list of saved conversations, over the chat. */
import type { ConversationSummary } from '../shared/protocol';
import { el } from './dom';
import { historyPanel } from './layout';
import { s } from './state';

export function showHistory(conversations: ConversationSummary[]): void {
  historyPanel.replaceChildren();
  const head = el('div', 'history-head');
  const close = el('button', 'icon', '×');
  close.title = s().close;
  close.addEventListener('click', () => (historyPanel.hidden = true));
  head.append(el('h3', undefined, s().history), el('span', 'spacer'), close);
  historyPanel.append(head);
  if (conversations.length === 0) historyPanel.append(el('p', 'note', s().historyEmpty));
  for (const item of conversations) {
    const line = el('div', 'history-item');
    const open = el('button', 'link', item.title);
    open.dataset.conversation = item.id;
    open.dataset.op = 'open';
    const remove = el('button', 'icon', '🗑');
    remove.title = s().delete;
    remove.setAttribute('aria-label', `${s().delete}: ${item.title}`);
    remove.dataset.conversation = item.id;
    remove.dataset.op = 'delete';
    line.append(open);
    if (item.mode === 'agent') line.append(el('span', 'mode-badge', s().modes.agent));
    line.append(el('span', 'meta', new Date(item.updatedAt).toLocaleString()), remove);
    historyPanel.append(line);
  }
  historyPanel.hidden = false;
}
