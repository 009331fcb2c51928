/**
 * The `@` menu: typing `@` at the start of the input or after a space offers what can be attached;
 * letters after it narrow the list; arrows move, Enter or Tab picks, Escape closes. Picking takes
 * the `@word` out of the input and asks the host to attach.
 */
import { ATTACH_KINDS, type AttachKind } from '../shared/protocol';
import { el } from './dom';
import { input, mentionMenu } from './layout';
import { post, s } from './state';

let items: AttachKind[] = [];
let active = 0;

/** The `@word` just before the caret, if the user is typing one. */
function typedMention(): { start: number; word: string } | undefined {
  const caret = input.selectionStart ?? 0;
  const match = /(^|\s)@([\w-]*)$/.exec(input.value.slice(0, caret));
  return match ? { start: caret - match[2].length - 1, word: match[2].toLowerCase() } : undefined;
}

function render(): void {
  mentionMenu.replaceChildren(
    ...items.map((kind, index) => {
      const option = el('div', index === active ? 'mention active' : 'mention', s().mentions[kind]);
      option.setAttribute('role', 'option');
      option.setAttribute('aria-selected', String(index === active));
      option.dataset.mention = kind;
      return option;
    }),
  );
}

/** Opens, narrows or closes the menu as the input changes. */
export function updateMentions(): void {
  const typed = typedMention();
  // `@fi` means @file first: entries whose keyword starts with what was typed, then the others that mention it.
  const keyword = (kind: AttachKind) => s().mentions[kind].split(':')[0].slice(1).toLowerCase();
  items = typed
    ? [
        ...ATTACH_KINDS.filter((kind) => keyword(kind).startsWith(typed.word)),
        ...ATTACH_KINDS.filter(
          (kind) => !keyword(kind).startsWith(typed.word) && s().mentions[kind].toLowerCase().includes(typed.word),
        ),
      ]
    : [];
  active = Math.min(active, Math.max(0, items.length - 1));
  mentionMenu.hidden = items.length === 0;
  if (!mentionMenu.hidden) render();
}

export function closeMentions(): void {
  items = [];
  mentionMenu.hidden = true;
}

/** Attaches `kind` in place of the typed `@word`. */
export function pickMention(kind: AttachKind): void {
  const typed = typedMention();
  if (typed) {
    const caret = input.selectionStart ?? input.value.length;
    input.value = input.value.slice(0, typed.start) + input.value.slice(caret);
    input.setSelectionRange(typed.start, typed.start);
  }
  closeMentions();
  post({ type: 'attach', kind });
  input.dispatchEvent(new Event('input'));
}

/** Keys while the menu is open; true when the key was the menu's. */
export function mentionKey(event: KeyboardEvent): boolean {
  if (mentionMenu.hidden || items.length === 0) return false;
  if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
    active = (active + (event.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length;
    render();
  } else if (event.key === 'Enter' || event.key === 'Tab') {
    pickMention(items[active]);
  } else if (event.key === 'Escape') {
    closeMentions();
  } else {
    return false;
  }
  event.preventDefault();
  return true;
}
