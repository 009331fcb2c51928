import type { ChatMessage } from './protocol';

/** Code or a file attached to a question. */
export interface ContextBlock {
  /** Shown to the user and the model, for example `app.ts:10-24`. */
  label: string;
  /** The editor's language id, for the code fence. */
  language: string;
  text: string;
}

/** A finished exchange that later questions build on. */
export interface HistoryTurn {
  question: string;
  context: ContextBlock[];
  answer: string;
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
 * that produced an answer, then the question.
 */
export function buildMessages(systemPrompt: string, history: HistoryTurn[], question: string, context: ContextBlock[]): ChatMessage[] {
  const messages: ChatMessage[] = [];
  if (systemPrompt.trim()) messages.push({ role: 'system', content: systemPrompt });
  for (const turn of history) {
    if (!turn.answer) continue;
    messages.push({ role: 'user', content: userContent(turn.question, turn.context) });
    messages.push({ role: 'assistant', content: turn.answer });
  }
  messages.push({ role: 'user', content: userContent(question, context) });
  return messages;
}
