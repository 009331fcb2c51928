/** Roles the OpenAI-compatible API behind GenOS accepts. */
export type ChatRole = 'system' | 'developer' | 'user' | 'assistant' | 'tool' | 'function';

/** A tool the model asked to call, as an assistant message carries it. */
export interface WireToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** One message of a conversation, as sent to `/v1/chat/completions`. */
export interface ChatMessage {
  role: ChatRole;
  content: string;
  name?: string;
  /** On a `tool` message: the call it answers. */
  tool_call_id?: string;
  /** On an `assistant` message: the tools it called. */
  tool_calls?: WireToolCall[];
}

/** A tool the model may call: a function with a JSON schema for its arguments. */
export interface ToolSpec {
  name: string;
  description?: string;
  parameters?: object;
}

/** A tool call the model made, whole: `arguments` is the JSON text it wrote. */
export interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}

/** Token counts the server reports for one answer. */
export interface Usage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

/** One thing that happened in a streamed answer. */
export type ChatEvent =
  | { type: 'content'; text: string }
  | { type: 'reasoning'; text: string }
  | { type: 'usage'; usage: Usage }
  | { type: 'toolCall'; call: ToolCall }
  | { type: 'finish'; reason: string };

/** A piece of a tool call as a stream sends it: the id and name first, the arguments in parts. */
export interface ToolCallDelta {
  type: 'toolCallDelta';
  index: number;
  id?: string;
  name?: string;
  arguments?: string;
}

/** What one `data:` payload of the stream means. */
export type ChunkResult =
  | { kind: 'events'; events: Array<ChatEvent | ToolCallDelta> }
  | { kind: 'done' }
  | { kind: 'error'; message: string }
  | { kind: 'malformed'; message: string };

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function toUsage(value: unknown): Usage | undefined {
  if (!isObject(value)) return undefined;
  const prompt = Number(value.prompt_tokens ?? 0);
  const completion = Number(value.completion_tokens ?? 0);
  const total = Number(value.total_tokens ?? prompt + completion);
  if (![prompt, completion, total].every(Number.isFinite)) return undefined;
  return { promptTokens: prompt, completionTokens: completion, totalTokens: total };
}

/** The error message of a vLLM/OpenAI error object: `{error: {message}}`, `{object: 'error', message}`, `{detail}`. */
export function errorMessageOf(value: unknown): string | undefined {
  if (!isObject(value)) return undefined;
  if (typeof value.error === 'string') return value.error;
  if (isObject(value.error) && typeof value.error.message === 'string') return value.error.message;
  if (value.object === 'error' && typeof value.message === 'string') return value.message;
  if (typeof value.detail === 'string') return value.detail;
  if (Array.isArray(value.detail) && isObject(value.detail[0]) && typeof value.detail[0].msg === 'string') {
    return value.detail[0].msg;
  }
  if (typeof value.message === 'string' && !('choices' in value)) return value.message;
  return undefined;
}

/** The tool-call pieces of a delta or message (a whole message's calls have no `index`). */
function toolCallDeltas(value: unknown): ToolCallDelta[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((call, position) => {
    if (!isObject(call)) return [];
    const fn = isObject(call.function) ? call.function : {};
    const delta: ToolCallDelta = {
      type: 'toolCallDelta',
      index: typeof call.index === 'number' ? call.index : position,
    };
    if (typeof call.id === 'string' && call.id) delta.id = call.id;
    if (typeof fn.name === 'string' && fn.name) delta.name = fn.name;
    if (typeof fn.arguments === 'string' && fn.arguments) delta.arguments = fn.arguments;
    return [delta];
  });
}

/** Events of one completion object, streamed (`delta`) or whole (`message`). */
function eventsOf(chunk: Json): Array<ChatEvent | ToolCallDelta> {
  const events: Array<ChatEvent | ToolCallDelta> = [];
  const choices = Array.isArray(chunk.choices) ? chunk.choices : [];
  const choice = choices.find((c) => isObject(c) && (c.index === undefined || c.index === 0));
  if (isObject(choice)) {
    const part = isObject(choice.delta) ? choice.delta : isObject(choice.message) ? choice.message : {};
    // vLLM sends `reasoning_content`; newer versions send `reasoning` instead.
    const reasoning = typeof part.reasoning_content === 'string' ? part.reasoning_content : part.reasoning;
    if (typeof reasoning === 'string' && reasoning) events.push({ type: 'reasoning', text: reasoning });
    if (typeof part.content === 'string' && part.content) events.push({ type: 'content', text: part.content });
    events.push(...toolCallDeltas(part.tool_calls));
    if (typeof choice.finish_reason === 'string' && choice.finish_reason) {
      events.push({ type: 'finish', reason: choice.finish_reason });
    }
  }
  const usage = toUsage(chunk.usage);
  if (usage) events.push({ type: 'usage', usage });
  return events;
}

/**
 * Interprets one server-sent event of a chat completion stream. `eventName` is the SSE `event:`
 * field, when the server sent one.
 */
export function parseChunk(data: string, eventName?: string): ChunkResult {
  const text = data.trim();
  if (text === '[DONE]') return { kind: 'done' };
  // Some gateways keep idle streams alive with empty events.
  if (text === '' && eventName !== 'error') return { kind: 'events', events: [] };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return eventName === 'error'
      ? { kind: 'error', message: text }
      : { kind: 'malformed', message: 'A stream event is not JSON.' };
  }
  if (!isObject(value)) return { kind: 'malformed', message: 'A stream event is not a JSON object.' };
  const error = errorMessageOf(value);
  if (eventName === 'error' || (error !== undefined && !Array.isArray(value.choices))) {
    return { kind: 'error', message: error ?? 'The server reported an error.' };
  }
  // An object with neither choices nor usage (a proxy's `{}` ping) carries nothing to show.
  return { kind: 'events', events: eventsOf(value) };
}

/** Interprets a whole, non-streamed completion (a gateway may answer that way despite `stream: true`). */
export function parseCompletion(body: string): ChunkResult {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return { kind: 'malformed', message: 'The answer is not JSON.' };
  }
  if (!isObject(value) || !Array.isArray(value.choices)) {
    const error = errorMessageOf(value);
    return error ? { kind: 'error', message: error } : { kind: 'malformed', message: 'The answer has no choices.' };
  }
  return { kind: 'events', events: eventsOf(value) };
}

/** A JSON object body, or undefined when the body is not one. */
function objectOf(body: string): Json | undefined {
  try {
    const value: unknown = JSON.parse(body);
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The text of a `/v1/completions` answer (`choices[0].text`), or undefined when it is not one. */
export function parseTextCompletion(body: string): string | undefined {
  const value = objectOf(body);
  if (!value || !Array.isArray(value.choices)) return undefined;
  const choice = value.choices.find((c) => isObject(c) && (c.index === undefined || c.index === 0));
  return isObject(choice) && typeof choice.text === 'string' ? choice.text : undefined;
}

/** A model a serving lists, with its context window when the server says (vLLM's `max_model_len`). */
export interface ModelInfo {
  id: string;
  maxModelLen?: number;
}

/** The models of a `/v1/models` answer, or undefined when it is not one. */
export function parseModelInfo(body: string): ModelInfo[] | undefined {
  const value = objectOf(body);
  if (!value || !Array.isArray(value.data)) return undefined;
  return value.data.flatMap((model) => {
    if (!isObject(model) || typeof model.id !== 'string') return [];
    const length = model.max_model_len;
    return [
      typeof length === 'number' && Number.isInteger(length) && length > 0
        ? { id: model.id, maxModelLen: length }
        : { id: model.id },
    ];
  });
}

/** The model ids of a `/v1/models` answer, or undefined when it is not one. */
export function parseModels(body: string): string[] | undefined {
  return parseModelInfo(body)?.map((model) => model.id);
}

const MAX_SERVER_MESSAGE = 300;

/**
 * A server's error text made safe to show: markup dropped, whitespace folded, shortened, and the
 * token removed should a server echo it. Undefined when nothing useful is left.
 */
export function cleanServerText(body: string, contentType: string | undefined, token: string): string | undefined {
  let text: string | undefined;
  const trimmed = body.trim();
  if (contentType?.includes('json') || /^[[{]/.test(trimmed)) {
    text = errorMessageOf(objectOf(trimmed));
  } else if (
    !contentType?.includes('html') &&
    !/^<(!doctype|html|\?xml)/i.test(trimmed) &&
    trimmed.length <= MAX_SERVER_MESSAGE
  ) {
    text = trimmed;
  }
  return text ? scrubServerMessage(text, token) : undefined;
}

/**
 * A server's message made safe to show and keep: the token replaced, control characters and runs
 * of white space made one space, and shortened to a few hundred characters. Undefined when empty.
 */
export function scrubServerMessage(message: string, token: string): string | undefined {
  let text = token ? message.split(token).join('***') : message;
  text = text.replace(/[\s\u0000-\u001f\u007f]+/g, ' ').trim();
  if (text.length > MAX_SERVER_MESSAGE) text = `${text.slice(0, MAX_SERVER_MESSAGE - 1)}…`;
  return text || undefined;
}

/**
 * Whether a refusal says the serving does not take tools: vLLM without `--enable-auto-tool-choice`
 * ("\"auto\" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set"), or a
 * model or gateway that does not support them.
 */
export function refusesTools(message: string | undefined): boolean {
  if (!message) return false;
  return /tool[ _-]?(choice|call)|tools? (is|are) not (supported|enabled|allowed)|does not support tools/i.test(
    message,
  );
}

/**
 * The window and the tokens a server counted, from vLLM's context-length refusal: the older
 * "maximum context length is N tokens. However, you requested M tokens (P in the messages, C in
 * the completion)" and the newer "… is N tokens and your request has P input tokens".
 */
export function parseContextLimit(
  message: string | undefined,
): { window: number; promptTokens?: number; requested?: number } | undefined {
  if (!message) return undefined;
  const window = /maximum context length is (\d+)/i.exec(message);
  if (!window) return undefined;
  const messagesPart = /\((\d+) in the messages/i.exec(message);
  const input = /(?:has|have) (\d+) input tokens/i.exec(message);
  const requested = /requested (\d+) tokens/i.exec(message);
  return {
    window: Number(window[1]),
    promptTokens: messagesPart ? Number(messagesPart[1]) : input ? Number(input[1]) : undefined,
    requested: requested ? Number(requested[1]) : undefined,
  };
}
