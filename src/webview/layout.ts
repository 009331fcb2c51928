/** The panel's fixed parts, built once when the script loads. */
import { el } from './dom';

export const app = el('div', 'app');
const header = el('header', 'toolbar');
export const modelButton = el('button', 'model');
/** The team's rules on or off for this conversation. */
export const rulesButton = el('button', 'rules-switch');
/** For a model that thinks: let it, or ask it to answer at once, in this conversation. */
export const thinkButton = el('button', 'think-switch');
thinkButton.hidden = true;
header.append(modelButton, el('span', 'spacer'), thinkButton, rulesButton);
export const log = el('main', 'log');
log.setAttribute('aria-live', 'polite');
export const empty = el('div', 'empty');
export const historyPanel = el('div', 'history-panel');
historyPanel.hidden = true;
const composer = el('footer', 'composer');
export const notice = el('div', 'notice');
notice.setAttribute('role', 'alert');
notice.hidden = true;
export const chips = el('div', 'chips');
export const gauge = el('div', 'gauge');
gauge.setAttribute('aria-live', 'off');
export const input = el('textarea', 'input');
input.rows = 3;
/** The `@` menu, over the input. */
export const mentionMenu = el('div', 'mention-menu');
mentionMenu.setAttribute('role', 'listbox');
mentionMenu.hidden = true;
const row = el('div', 'composer-row');
export const attachSelection = el('button', 'secondary attach-selection');
export const attachFile = el('button', 'secondary attach-file');
export const sendButton = el('button', 'primary send');
/** Ask or Agent, for this conversation. */
export const modeSwitch = el('div', 'mode-switch');
modeSwitch.setAttribute('role', 'group');
export const askMode = el('button', 'mode ask');
export const agentMode = el('button', 'mode agent');
askMode.dataset.mode = 'ask';
agentMode.dataset.mode = 'agent';
modeSwitch.append(askMode, agentMode);
/** Said in Agent mode when the workspace is not trusted. */
export const readOnlyNote = el('p', 'note read-only');
readOnlyNote.hidden = true;
row.append(attachSelection, attachFile, el('span', 'spacer'), gauge, modeSwitch, sendButton);
composer.append(notice, readOnlyNote, chips, mentionMenu, input, row);
app.append(header, historyPanel, log, composer);

// Following the answer as it grows is left to CSS scroll anchoring (see chat.css): the anchor at
// the end keeps the view at the bottom while the user is there, and nothing reads layout per frame.
export const anchor = el('div', 'scroll-anchor');

export function toBottom(): void {
  log.append(anchor);
  anchor.scrollIntoView({ block: 'end' });
}
