/**
 * VS Code's chat messages (Language Model Chat Provider API) in the OpenAI shape GenOS takes, and
 * the way back for tool calls. No `vscode` import: the parts are read by their shape, so this is
 * tested on its own.
 */
import type { ChatMessage, ToolCall, WireToolCall } from '../../client/openai';
import type { RequestMessage, RequestMessagePart } from './lmApi';

const ROLE_ASSISTANT = 2;
const ROLE_SYSTEM = 3;

function isPart(value: unknown): value is RequestMessagePart {
  return typeof value === 'object' && value !== null;
}

/** The text of a part list: text parts as they are; other parts (images, prompt elements) left out. */
function textOf(parts: readonly unknown[]): string {
  let text = '';
  for (const part of parts) {
    if (typeof part === 'string') text += part;
    else if (isPart(part) && typeof part.value === 'string' && part.callId === undefined) text += part.value;
  }
  return text;
}

/**
 * The messages to send: system and user text as they are; an assistant's tool calls as
 * `tool_calls`; each tool result as a `tool` message right after the calls, before any text of the
 * same user message (the order the OpenAI API requires).
 */
export function toChatMessages(messages: readonly RequestMessage[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (const message of messages) {
    const parts = message.content.filter(isPart);
    if (message.role === ROLE_ASSISTANT) {
      const calls: WireToolCall[] = parts
        .filter((part) => typeof part.callId === 'string' && typeof part.name === 'string' && part.input !== undefined)
        .map((part) => ({
          id: part.callId!,
          type: 'function',
          function: { name: part.name!, arguments: JSON.stringify(part.input) },
        }));
      const assistant: ChatMessage = { role: 'assistant', content: textOf(message.content) };
      if (calls.length) assistant.tool_calls = calls;
      if (assistant.content || calls.length) out.push(assistant);
      continue;
    }
    for (const part of parts) {
      if (typeof part.callId === 'string' && Array.isArray(part.content)) {
        out.push({ role: 'tool', tool_call_id: part.callId, content: textOf(part.content) });
      }
    }
    const text = textOf(message.content);
    if (text) out.push({ role: message.role === ROLE_SYSTEM ? 'system' : 'user', content: text });
  }
  return out;
}

/** A tool call's arguments as the object the chat hands to the tool; undefined when not a JSON object. */
export function toolInput(call: ToolCall): object | undefined {
  if (!call.arguments.trim()) return {};
  try {
    const value: unknown = JSON.parse(call.arguments);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

export { modelDisplayName } from '../../shared/modelNames';
