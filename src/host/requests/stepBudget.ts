/**
 * An agent turn's steps in the context window: each step is the model's message (its text and
 * tool calls) and the results sent back. Tool output is long and grows with every step, so before
 * anything else is left out, a result is cut to its start and end when it is too long, and the
 * oldest results are replaced by a line that says what they were (the call stays, so the model
 * knows it may ask again). Plain code (no `vscode`), unit-tested alone.
 */
import type { ChatMessage } from '../../client/openai';
import { estimateTokens, MESSAGE_OVERHEAD } from '../../shared/tokens';

/** One step of an agent turn: what the model said and called, and what came back. */
export interface AgentStep {
  assistant: ChatMessage;
  /** One message per call: role `tool` for native calls, `user` in the text protocol. */
  results: ChatMessage[];
}

/** Estimates of messages already sized: a turn's steps are fitted again before every request. */
const estimates = new WeakMap<ChatMessage, number>();

/** The estimated tokens of a message: its text, the calls it carries, and the framing. */
export function messageTokens(message: ChatMessage): number {
  const known = estimates.get(message);
  if (known !== undefined) return known;
  const tokens = estimateMessage(message);
  estimates.set(message, tokens);
  return tokens;
}

function estimateMessage(message: ChatMessage): number {
  const calls = message.tool_calls?.reduce(
    (sum, call) => sum + estimateTokens(call.function.name + call.function.arguments),
    0,
  );
  return estimateTokens(message.content) + (calls ?? 0) + MESSAGE_OVERHEAD;
}

/**
 * Tool output of at most about `maxTokens`: a longer one keeps its first two thirds and its last
 * third of lines (where a command's result and errors are), with a note of what was left out.
 */
export function capResult(text: string, maxTokens: number): string {
  if (estimateTokens(text) <= maxTokens) return text;
  const lines = text.split('\n');
  const head: string[] = [];
  const tail: string[] = [];
  let budget = Math.max(1, maxTokens - 20);
  for (let i = 0, j = lines.length - 1; i <= j && budget > 0;) {
    const takeHead = head.length <= tail.length * 2;
    const line = takeHead ? lines[i] : lines[j];
    const cost = estimateTokens(line) + 1;
    if (cost > budget) {
      if (head.length === 0 && tail.length === 0) head.push(prefixWithin(line, budget));
      break;
    }
    budget -= cost;
    if (takeHead) {
      head.push(line);
      i++;
    } else {
      tail.unshift(line);
      j--;
    }
  }
  const left = lines.length - head.length - tail.length;
  const note = `[… ${left} of ${lines.length} lines left out to fit the context window; ask for a part to see it …]`;
  return [...head, note, ...tail].join('\n');
}

/** The longest start of `text` estimated at no more than `tokens`. */
function prefixWithin(text: string, tokens: number): string {
  let low = 0;
  let high = text.length;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (estimateTokens(text.slice(0, middle)) <= tokens) low = middle;
    else high = middle - 1;
  }
  return text.slice(0, low);
}

/** What an old result becomes: one line that says what it was. */
function summary(result: ChatMessage): ChatMessage {
  const lines = result.content.split('\n');
  const first = lines[0].slice(0, 80);
  const content = `[Result shortened to save context: ${lines.length} lines beginning "${first}". Call the tool again if you need it.]`;
  return { ...result, content };
}

export interface FittedSteps {
  messages: ChatMessage[];
  /** Estimated tokens of the messages, with the serving's correction. */
  tokens: number;
  /** Steps whose results were replaced by a line. */
  shortened: number;
  /** The oldest steps left out whole, when shortening was not enough. */
  omitted: number;
  /** False when even the last step alone does not fit. */
  fits: boolean;
}

/** Stands for the steps left out, so the model knows it did more than it sees. */
function omissionNote(count: number): ChatMessage {
  return {
    role: 'user',
    content: `[The first ${count} steps of this task are left out to fit the context window; their changes are in the files.]`,
  };
}

/**
 * The steps as messages within `available` tokens (the window less the prompt before them and the
 * answer's reserve); `factor` corrects the estimate for this serving. Results are shortened oldest
 * first; if that is not enough, the oldest steps are left out whole, with a note. The last step is
 * kept whole, since the model is about to act on it.
 */
export function fitSteps(steps: readonly AgentStep[], available: number, factor = 1): FittedSteps {
  const sizeOf = (messages: ChatMessage[]) => messages.reduce((sum, message) => sum + messageTokens(message), 0);
  const sized = steps.map((step) => ({ ...step, tokens: sizeOf([step.assistant, ...step.results]) }));
  let total = sized.reduce((sum, step) => sum + step.tokens, 0);
  const over = () => Math.ceil(total * factor) > available;
  let shortened = 0;
  for (let i = 0; i < sized.length - 1 && over(); i++) {
    const step = sized[i];
    const results = step.results.map(summary);
    const tokens = sizeOf([step.assistant, ...results]);
    total -= step.tokens - tokens;
    sized[i] = { ...step, results, tokens };
    shortened++;
  }
  let omitted = 0;
  if (over()) {
    // The note that stands for the steps left out takes room too.
    total += messageTokens(omissionNote(steps.length));
    while (omitted < sized.length - 1 && over()) total -= sized[omitted++].tokens;
  }
  const kept = sized.slice(omitted).flatMap((step) => [step.assistant, ...step.results]);
  const messages = omitted > 0 ? [omissionNote(omitted), ...kept] : kept;
  const tokens = Math.ceil(sizeOf(messages) * factor);
  return { messages, tokens, shortened: Math.max(0, shortened - omitted), omitted, fits: tokens <= available };
}
