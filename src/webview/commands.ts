/**
 * The `/` menu: typing `/` at the start of the input offers the slash commands (the host lists
 * them: built-ins and the team's prompt files, whose descriptions show as written, Korean too);
 * letters narrow the list; arrows move, Enter or Tab picks, Escape closes. Picking puts `/name `
 * in the input, for the user to add to and send.
 */
import type { SlashCommandView } from '../shared/protocol';
import { el } from './dom';
import { input, mentionMenu } from './layout';
import { post } from './state';

let commands: SlashCommandView[] | undefined;
let asked = false;
let items: SlashCommandView[] = [];
let active = 0;

/** The `/word` the input starts with, while the caret is in it. */
function typedCommand(): string | undefined {
  const caret = input.selectionStart ?? 0;
  const match = /^\/([\p{L}\p{N}_.-]*)$/u.exec(input.value.slice(0, caret));
  return match ? match[1].toLowerCase() : undefined;
}

function render(): void {
  mentionMenu.replaceChildren(
    ...items.map((command, index) => {
      const option = el('div', index === active ? 'mention command active' : 'mention command');
      option.append(el('span', 'command-name', `/${command.name}`));
      if (command.description) option.append(' ', el('span', 'command-description', command.description));
      option.setAttribute('role', 'option');
      option.setAttribute('aria-selected', String(index === active));
      option.dataset.command = command.name;
      return option;
    }),
  );
}

/** The host's list arrived. */
export function setCommands(list: SlashCommandView[]): void {
  commands = list;
  updateCommands();
}

/** Opens, narrows or closes the menu as the input changes; true while it is open. */
export function updateCommands(): boolean {
  const word = typedCommand();
  if (word === undefined) {
    // Read again next time: a prompt file may have been added meanwhile.
    asked = false;
    items = [];
  } else if (!commands || !asked) {
    if (!asked) post({ type: 'listCommands' });
    asked = true;
    items = (commands ?? []).filter((c) => c.name.toLowerCase().startsWith(word));
  } else {
    items = commands.filter((c) => c.name.toLowerCase().startsWith(word));
  }
  active = Math.min(active, Math.max(0, items.length - 1));
  mentionMenu.hidden = items.length === 0;
  if (!mentionMenu.hidden) render();
  return !mentionMenu.hidden;
}

/** Puts `/name ` in the input. */
export function pickCommand(name: string): void {
  input.value = `/${name} `;
  input.setSelectionRange(input.value.length, input.value.length);
  items = [];
  mentionMenu.hidden = true;
  input.dispatchEvent(new Event('input'));
}

/** Keys while the menu is open; true when the key was the menu's. */
export function commandKey(event: KeyboardEvent): boolean {
  if (mentionMenu.hidden || items.length === 0 || typedCommand() === undefined) return false;
  if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
    active = (active + (event.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length;
    render();
  } else if (event.key === 'Enter' || event.key === 'Tab') {
    pickCommand(items[active].name);
  } else if (event.key === 'Escape') {
    items = [];
    mentionMenu.hidden = true;
  } else {
    return false;
  }
  event.preventDefault();
  return true;
}
