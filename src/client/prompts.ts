import type { ChatMessage } from './openai';

/** Code or a file attached to a question. */
export interface ContextBlock {
  /** Shown to the user and the model, for example `app.ts:10-24`. */
  label: string;
  /** The editor's language id, for the code fence. */
  language: string;
  text: string;
  /** The 1-based line of the file where `text` starts, when it comes from a file. */
  firstLine?: number;
  /** Never shortened to fit the context window (the code a rewrite replaces). */
  fixed?: boolean;
}

/** A finished exchange that later questions build on. */
export interface HistoryTurn {
  question: string;
  context: ContextBlock[];
  answer: string;
  /** The model's thinking; it stands for the answer when the model put its whole reply there. */
  reasoning?: string;
}

/** A fence longer than any backtick run inside the text, so the text cannot close it early. */
export function fenceFor(text: string): string {
  const longest = Math.max(2, ...Array.from(text.matchAll(/`+/g), (m) => m[0].length));
  return '`'.repeat(longest + 1);
}

/** The user message for a question with its attached context, context first. */
export function userContent(question: string, context: ContextBlock[]): string {
  if (context.length === 0) return question;
  const blocks = context.map((block) => {
    const fence = fenceFor(block.text);
    return `${block.label}:\n${fence}${block.language}\n${block.text}\n${fence}`;
  });
  return `${blocks.join('\n\n')}\n\n${question}`;
}

/**
 * The messages for a new question: the system prompt first (when set), then earlier exchanges
 * that produced an answer, then the question. An exchange whose model answered only in its
 * reasoning field is sent with that reasoning as the answer: it is what the user saw.
 */
export function buildMessages(
  systemPrompt: string,
  history: HistoryTurn[],
  question: string,
  context: ContextBlock[],
): ChatMessage[] {
  const messages: ChatMessage[] = [];
  if (systemPrompt.trim()) messages.push({ role: 'system', content: systemPrompt });
  for (const turn of history) {
    const answer = turn.answer || turn.reasoning;
    if (!answer) continue;
    messages.push({ role: 'user', content: userContent(turn.question, turn.context) });
    messages.push({ role: 'assistant', content: answer });
  }
  messages.push({ role: 'user', content: userContent(question, context) });
  return messages;
}

/** Code the user selected, with where it comes from. */
export interface Selection {
  code: string;
  language: string;
  fileName: string;
  /** 1-based first and last line of the selection. */
  startLine: number;
  endLine: number;
  /** A few lines before and after, when the selection is small; empty otherwise. */
  before: string;
  after: string;
}

/** Selections shorter than this many lines get their surroundings sent along. */
export const SMALL_SELECTION_LINES = 8;
/** How many lines before and after a small selection are sent. */
export const SURROUNDING_LINES = 5;

/** Label of a selection, for example `app.ts:10-24`. */
export function selectionLabel(selection: Pick<Selection, 'fileName' | 'startLine' | 'endLine'>): string {
  const lines =
    selection.startLine === selection.endLine
      ? `${selection.startLine}`
      : `${selection.startLine}-${selection.endLine}`;
  return `${selection.fileName}:${lines}`;
}

/** The context blocks of a selection: the code, then its surroundings when they were taken. */
export function selectionContext(selection: Selection): ContextBlock[] {
  const blocks: ContextBlock[] = [
    {
      label: selectionLabel(selection),
      language: selection.language,
      text: selection.code,
      firstLine: selection.startLine,
    },
  ];
  if (selection.before || selection.after) {
    const surrounding = [selection.before, '<<< the selected code is here >>>', selection.after]
      .filter((part) => part !== '')
      .join('\n');
    blocks.push({
      label: `Lines around it in ${selection.fileName}, for context only`,
      language: selection.language,
      text: surrounding,
    });
  }
  return blocks;
}

/** The question that asks for a rewrite of a selection; the answer must be code only. */
export function rewriteQuestion(selection: Selection, instruction: string): string {
  const task =
    instruction.trim() || 'Improve this code: make it clearer and more robust without changing what it does.';
  const rules =
    `Rewrite the selected ${selection.language} code from ${selection.fileName} as asked. ` +
    'Answer with the complete replacement for the selection only, in a single fenced code block, with no explanation before or after it. ' +
    'Keep the indentation of the original.';
  return `${rules}\n\nRequest: ${task}`;
}

/** The messages that ask for a rewrite of a selection; the answer must be code only. */
export function rewriteMessages(systemPrompt: string, selection: Selection, instruction: string): ChatMessage[] {
  return buildMessages(systemPrompt, [], rewriteQuestion(selection, instruction), selectionContext(selection));
}

/**
 * The code in a model's answer: the fenced block (the longest, if there are several; an unclosed
 * one when the stream stopped inside it), or the whole answer when there is no fence. A leading
 * `<think>` section is dropped. The result ends with a newline exactly when `original` does.
 */
export function extractCode(answer: string, original: string): string {
  const text = answer.replace(/^\s*<think>[\s\S]*?<\/think>\s*/, '');
  const blocks: string[] = [];
  const fence = /^( {0,3})(`{3,}|~{3,})[^\n`]*\n([\s\S]*?)(?:^ {0,3}\2[`~]*[ \t]*$|(?![\s\S]))/gm;
  for (const match of text.matchAll(fence)) blocks.push(match[3]);
  let code = blocks.length > 0 ? blocks.reduce((a, b) => (b.length > a.length ? b : a)) : text.trim();
  code = code.replace(/\n+$/, '');
  return original.endsWith('\n') ? `${code}\n` : code;
}
