/**
 * Slash commands in the panel: `/explain`, `/fix` (the current file's problems attached), `/tests`,
 * `/doc`, and the team's prompt files. A command typed at the start of a question becomes the
 * question sent: a built-in's instruction with what it needs attached, or a prompt file's body with
 * its variables filled in (`${input:…}` asked for in an input box; Escape sends nothing).
 */
import * as vscode from 'vscode';
import { fillPrompt, inputsOf } from '../../client/promptFiles';
import type { ChatMode, SlashCommandView } from '../../shared/protocol';
import { t } from '../base/l10n';
import { promptFiles } from '../context/promptCommands';
import { selectedEditor } from '../context/selection';
import type { Attachments } from './attachments';

/** What a typed command becomes. */
export interface Expansion {
  question: string;
  /** The mode a prompt file asks for, for this turn. */
  mode?: ChatMode;
}

const BUILT_INS = {
  explain: 'Explain this code: what it does, how, and anything surprising in it.',
  fix: 'Fix the problems reported in this file. Show the corrected code and say what was wrong.',
  tests: "Write unit tests for this code, in the style and framework of the project's existing tests.",
  doc: "Write documentation comments for this code, in the language's usual style.",
} as const;

type BuiltIn = keyof typeof BUILT_INS;

function describe(name: BuiltIn): string {
  switch (name) {
    case 'explain':
      return t('Explain the selected code (or the current file)');
    case 'fix':
      return t("Fix the current file's problems");
    case 'tests':
      return t('Write tests for the selected code');
    case 'doc':
      return t('Write documentation comments for the selected code');
  }
}

/** The typed `/name` and what follows it, when the text starts with a command. */
function typed(text: string): { name: string; rest: string } | undefined {
  const match = /^\/([\p{L}\p{N}][\p{L}\p{N}_.-]*)(?:\s+([\s\S]*))?$/u.exec(text.trim());
  return match ? { name: match[1], rest: (match[2] ?? '').trim() } : undefined;
}

export class SlashCommands {
  constructor(private readonly attachments: Attachments) {}

  /** The commands the `/` menu offers: built-ins, then prompt files. */
  async list(): Promise<SlashCommandView[]> {
    const builtIns = (Object.keys(BUILT_INS) as BuiltIn[]).map((name) => ({
      name,
      description: describe(name),
      source: 'builtIn' as const,
    }));
    const files = (await promptFiles())
      .filter((file) => !Object.hasOwn(BUILT_INS, file.name))
      .map((file) => ({ name: file.name, description: file.description ?? '', source: 'file' as const }));
    return [...builtIns, ...files];
  }

  /** What `text` becomes; undefined when it is not a command, 'cancelled' when the user declined. */
  async expand(text: string): Promise<Expansion | 'cancelled' | undefined> {
    const command = typed(text);
    if (!command) return undefined;
    const extra = command.rest ? `\n\n${command.rest}` : '';
    if (Object.hasOwn(BUILT_INS, command.name)) {
      const name = command.name as BuiltIn;
      if (name === 'fix') {
        this.attachments.attachFile();
        await this.attachments.attach('problems');
      } else if (!this.attachments.attachSelection()) this.attachments.attachFile();
      return { question: BUILT_INS[name] + extra };
    }
    const file = (await promptFiles()).find((prompt) => prompt.name === command.name);
    if (!file) return undefined;
    const inputs = new Map<string, string>();
    for (const input of inputsOf(file.body)) {
      const value = await vscode.window.showInputBox({
        title: `/${file.name}`,
        prompt: input.name,
        placeHolder: input.placeholder,
        ignoreFocusOut: true,
      });
      if (value === undefined) return 'cancelled';
      inputs.set(input.name, value);
    }
    const editor = selectedEditor() ?? vscode.window.activeTextEditor;
    const document = editor?.document;
    const question = fillPrompt(file.body, {
      selection: editor && !editor.selection.isEmpty ? document?.getText(editor.selection) : '',
      file: document ? vscode.workspace.asRelativePath(document.uri, false) : '',
      fileContent: document?.getText() ?? '',
      inputs,
    });
    return { question: question + extra, mode: file.mode };
  }
}
