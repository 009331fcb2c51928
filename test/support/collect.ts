import { strict as assert } from 'node:assert';
import { GenosError } from '../../src/client/errors';
import type { ChatStreamEvent, RetryWait } from '../../src/client/genosClient';
import type { ToolCall, Usage } from '../../src/client/openai';

export interface Collected {
  text: string;
  reasoning: string;
  events: ChatStreamEvent[];
  /** The waits before a retry, in order. */
  waits: RetryWait[];
  usage?: Usage;
  finish?: string;
  toolCalls: ToolCall[];
}

/** Drains a chat stream into what a user would end up seeing. */
export async function collect(
  stream: AsyncIterable<ChatStreamEvent>,
  onEvent?: (event: ChatStreamEvent, sofar: Collected) => void,
): Promise<Collected> {
  const result: Collected = { text: '', reasoning: '', events: [], waits: [], toolCalls: [] };
  for await (const event of stream) {
    result.events.push(event);
    if (event.type === 'content') result.text += event.text;
    else if (event.type === 'reasoning') result.reasoning += event.text;
    else if (event.type === 'usage') result.usage = event.usage;
    else if (event.type === 'toolCall') result.toolCalls.push(event.call);
    else if (event.type === 'retryWait') result.waits.push(event.wait);
    else result.finish = event.reason;
    onEvent?.(event, result);
  }
  return result;
}

/** Awaits a request expected to fail and returns its GenosError; fails the test otherwise. */
export async function failure(run: Promise<unknown>): Promise<GenosError> {
  try {
    await run;
  } catch (error) {
    assert.ok(error instanceof GenosError, `expected a GenosError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the request to fail');
}
