/**
 * An agent turn as a loop: ask the model; run the tool calls it makes (the host shows each as a
 * step and asks the user where it must); send the results back; ask again. It ends when the model
 * answers without a call, when the user stops it (the request or the running tool is aborted at
 * once, and the steps so far are kept), or at the step limit. It speaks native tool calls, and the
 * text protocol of textTools.ts for servings without them, switching when a serving refuses tools.
 * No `vscode`: requests and tools come in as functions, so the loop is tested in Node against the
 * test server.
 */
import { checkCall, isAgentTool, type AgentCall } from '../../client/agentTools';
import { GenosError } from '../../client/errors';
import { type ChatMessage, type ToolSpec, type WireToolCall } from '../../client/openai';
import { TextToolParser, type TextCall } from '../../client/textTools';
import type { AgentStep } from '../requests/stepBudget';

/** How tool calls travel: the API's `tools` and `tool_calls`, or tagged blocks in the text. */
export type ToolProtocol = 'native' | 'text';

/** A call the model made: checked when it is a built-in tool, or what is wrong with it. */
export interface ModelCall {
  id: string;
  name: string;
  /** The arguments as the model wrote them, parsed (JSON, or the text protocol's parameters). */
  input: unknown;
  /** The checked call of a built-in tool. */
  call?: AgentCall;
  /** Why the call cannot run, in words the model can act on. */
  error?: string;
}

/** What a tool gave back, for the model. */
export interface ToolResult {
  ok: boolean;
  output: string;
}

/** The events of one request the loop reads; others (connected, fitted…) pass by. */
export type LoopEvent =
  | { type: 'content'; text: string }
  | { type: 'reasoning'; text: string }
  | { type: 'toolCall'; call: { id: string; name: string; arguments: string } }
  | { type: string };

export interface AgentIO {
  /** Streams the model's next message after `steps`, with the tools offered by `protocol`. */
  request(steps: readonly AgentStep[], protocol: ToolProtocol, signal: AbortSignal): AsyncIterable<LoopEvent>;
  /** Shows, asks about where needed, and runs one call; resolves soon after `signal` aborts. */
  runCall(call: ModelCall, signal: AbortSignal): Promise<ToolResult>;
  /** Answer text as it streams (tool blocks of the text protocol left out). */
  text(text: string): void;
  reasoning(text: string): void;
  /** The serving refused tools: the loop goes on with the text protocol. */
  protocolChanged(protocol: ToolProtocol): void;
}

export interface AgentRun {
  protocol: ToolProtocol;
  /** The tools offered; in the text protocol, the tags the parser knows. */
  tools: readonly ToolSpec[];
  /** Requests that may end in tool calls before the loop stops to ask the user. */
  maxSteps: number;
  /** The steps so far (a continued turn has some); the loop appends to it. */
  steps: AgentStep[];
  signal: AbortSignal;
}

/** How a loop ended that was not stopped (a stop throws the `cancelled` GenosError). */
export interface AgentEnd {
  reason: 'answered' | 'limit';
  protocol: ToolProtocol;
}

/** What stands for a result when the user stopped the tool. */
export const STOPPED_RESULT = 'Stopped by the user before it finished.';

/** Runs the loop; throws a GenosError (`cancelled` when stopped) with the steps kept in `run.steps`. */
export async function runAgentLoop(io: AgentIO, run: AgentRun): Promise<AgentEnd> {
  let protocol = run.protocol;
  for (let made = 0; ;) {
    if (made >= run.maxSteps) return { reason: 'limit', protocol };
    let message: { text: string; calls: ModelCall[] };
    try {
      message = await readMessage(io, run, protocol);
    } catch (error) {
      if (protocol === 'native' && error instanceof GenosError && refusesToolsError(error)) {
        protocol = 'text';
        io.protocolChanged(protocol);
        continue;
      }
      throw error;
    }
    if (message.calls.length === 0) return { reason: 'answered', protocol };
    made++;
    const step: AgentStep = { assistant: assistantMessage(message, protocol), results: [] };
    run.steps.push(step);
    const outputs: string[] = [];
    for (const call of message.calls) {
      const result = run.signal.aborted ? { ok: false, output: STOPPED_RESULT } : await io.runCall(call, run.signal);
      if (protocol === 'native') step.results.push({ role: 'tool', tool_call_id: call.id, content: result.output });
      else outputs.push(`[${call.name} result]\n${result.output}`);
    }
    if (protocol === 'text') step.results.push({ role: 'user', content: outputs.join('\n\n') });
    if (run.signal.aborted) throw new GenosError({ kind: 'cancelled', message: 'Stopped.' });
  }
}

/** The client marks a refusal of the request's tools (vLLM without `--enable-auto-tool-choice`). */
function refusesToolsError(error: GenosError): boolean {
  return error.kind === 'badRequest' && error.detail === 'toolsRefused';
}

/** One streamed message: its text and its calls. In the text protocol, the first call ends it. */
async function readMessage(
  io: AgentIO,
  run: AgentRun,
  protocol: ToolProtocol,
): Promise<{ text: string; calls: ModelCall[] }> {
  const calls: ModelCall[] = [];
  let text = '';
  const parser = protocol === 'text' ? new TextToolParser(run.tools) : undefined;
  const show = (piece: string) => {
    text += piece;
    io.text(piece);
  };
  for await (const event of io.request(run.steps, protocol, run.signal)) {
    if (event.type === 'reasoning') io.reasoning((event as { text: string }).text);
    else if (event.type === 'content') {
      const piece = (event as { text: string }).text;
      if (!parser) {
        show(piece);
        continue;
      }
      // The model was told to wait for the result: what it writes after a call is not read.
      for (const found of parser.push(piece)) {
        if (found.type === 'text') show(found.text);
        else if (found.type === 'call') calls.push(textCall(found.call, calls.length));
        else calls.push({ id: textId(calls.length), name: found.name, input: {}, error: malformed(found) });
        if (calls.length) break;
      }
      if (calls.length) break;
    } else if (event.type === 'toolCall' && protocol === 'native') {
      calls.push(nativeCall((event as Extract<LoopEvent, { type: 'toolCall' }>).call, run.tools));
    }
  }
  if (parser && calls.length === 0) {
    const rest = parser.end();
    if (rest.text) show(rest.text);
  }
  return { text, calls };
}

function malformed(found: { name: string; reason: string }): string {
  return `The ${found.name} block was not run: ${found.reason}. Write each parameter as a tag of its own, with nothing else inside the block.`;
}

const textId = (index: number) => `text-call-${index}`;

function textCall(found: TextCall, index: number): ModelCall {
  const checked = checkCall(found.name, found.params);
  return { id: textId(index), name: found.name, input: found.params, ...checked };
}

function nativeCall(wire: { id: string; name: string; arguments: string }, tools: readonly ToolSpec[]): ModelCall {
  let input: unknown;
  try {
    input = wire.arguments.trim() ? JSON.parse(wire.arguments) : {};
  } catch {
    return { ...wire, input: wire.arguments, error: `The arguments of ${wire.name} are not valid JSON.` };
  }
  if (isAgentTool(wire.name)) return { id: wire.id, name: wire.name, input, ...checkCall(wire.name, input) };
  if (!tools.some((tool) => tool.name === wire.name)) {
    return { id: wire.id, name: wire.name, input, error: `There is no tool named "${wire.name}".` };
  }
  const isObject = typeof input === 'object' && input !== null && !Array.isArray(input);
  return isObject
    ? { id: wire.id, name: wire.name, input }
    : { id: wire.id, name: wire.name, input, error: `The arguments of ${wire.name} must be an object.` };
}

/** The model's message as it goes back into the conversation. */
function assistantMessage(message: { text: string; calls: ModelCall[] }, protocol: ToolProtocol): ChatMessage {
  if (protocol === 'text') {
    // The call as a canonical block: what the model wrote after it was never read.
    const blocks = message.calls.map((call) => textBlock(call));
    return { role: 'assistant', content: [message.text.trimEnd(), ...blocks].filter(Boolean).join('\n') };
  }
  const toolCalls: WireToolCall[] = message.calls.map((call) => ({
    id: call.id,
    type: 'function',
    function: { name: call.name, arguments: typeof call.input === 'string' ? call.input : JSON.stringify(call.input) },
  }));
  return { role: 'assistant', content: message.text, tool_calls: toolCalls };
}

function textBlock(call: ModelCall): string {
  const params = call.input && typeof call.input === 'object' ? (call.input as Record<string, unknown>) : {};
  const lines = Object.entries(params).flatMap(([name, value]) =>
    ([] as unknown[]).concat(value).map((one) => `<${name}>${String(one)}</${name}>`),
  );
  return [`<${call.name}>`, ...lines, `</${call.name}>`].join('\n');
}
