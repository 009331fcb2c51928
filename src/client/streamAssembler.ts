/** What a chat stream's parsed events add up to, read by read. */
import { GenosError } from './errors';
import type { ChatEvent, ChunkResult, ToolCall } from './openai';

/**
 * Turns the parsed events of each network read into chat events, and keeps what the answer holds
 * so far. Adjacent text deltas of one read are merged into one event: nothing is lost, and the
 * consumer does one step per read instead of one per token. Tool calls arrive in pieces, by index;
 * each is handed on whole, in index order, before the finish event. Events before a failure are
 * returned with it, so nothing received is dropped.
 */
export class StreamAssembler {
  /** The answer's text so far. */
  text = '';
  /** Its reasoning so far. */
  reasoning = '';
  /** A finish reason arrived. */
  finished = false;
  /** `[DONE]` arrived: nothing after it is read. */
  done = false;
  private readonly calls = new Map<number, ToolCall>();

  /** The chat events of one read's parsed results, and the failure that ended them, if one did. */
  collect(results: ChunkResult[]): { events: ChatEvent[]; failure?: GenosError } {
    const events: ChatEvent[] = [];
    for (const result of results) {
      if (result.kind === 'done') {
        this.done = true;
        this.flushCalls(events);
        break;
      }
      if (result.kind === 'error') {
        return { events, failure: new GenosError({ kind: 'streamError', serverMessage: result.message, message: 'The server reported an error in the stream.' }) };
      }
      if (result.kind === 'malformed') return { events, failure: new GenosError({ kind: 'malformed', message: result.message }) };
      for (const event of result.events) {
        if (event.type === 'toolCallDelta') {
          const call = this.calls.get(event.index) ?? { id: '', name: '', arguments: '' };
          call.id ||= event.id ?? '';
          call.name ||= event.name ?? '';
          call.arguments += event.arguments ?? '';
          this.calls.set(event.index, call);
          continue;
        }
        if (event.type === 'finish') {
          this.finished = true;
          this.flushCalls(events);
        }
        if (event.type !== 'content' && event.type !== 'reasoning') {
          events.push(event);
          continue;
        }
        if (event.type === 'content') this.text += event.text;
        else this.reasoning += event.text;
        const last = events[events.length - 1];
        if (last?.type === event.type) (last as typeof event).text += event.text;
        else events.push({ ...event });
      }
    }
    return { events };
  }

  private flushCalls(events: ChatEvent[]): void {
    for (const index of [...this.calls.keys()].sort((a, b) => a - b)) {
      const call = this.calls.get(index) as ToolCall;
      events.push({ type: 'toolCall', call: { ...call, id: call.id || `call_${index}` } });
    }
    this.calls.clear();
  }
}
