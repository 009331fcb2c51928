import type { ChatEvent, Usage } from '../../src/client/protocol';

export interface Collected {
  text: string;
  reasoning: string;
  events: ChatEvent[];
  usage?: Usage;
  finish?: string;
}

/** Drains a chat stream into what a user would end up seeing. */
export async function collect(stream: AsyncIterable<ChatEvent>, onEvent?: (event: ChatEvent, sofar: Collected) => void): Promise<Collected> {
  const result: Collected = { text: '', reasoning: '', events: [] };
  for await (const event of stream) {
    result.events.push(event);
    if (event.type === 'content') result.text += event.text;
    else if (event.type === 'reasoning') result.reasoning += event.text;
    else if (event.type === 'usage') result.usage = event.usage;
    else result.finish = event.reason;
    onEvent?.(event, result);
  }
  return result;
}
