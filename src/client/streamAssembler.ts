/** What a chat stream's parsed events add up to, read by read. */
import { GenosError } from './errors';
import { scrubServerMessage, type ChatEvent, type ChunkResult, type ToolCall } from './openai';

/** How much one stream may bring before it is stopped: memory stays bounded whatever a server sends. */
export interface StreamLimits {
  /** Characters of one server-sent event, or of a line that never ends. */
  eventChars: number;
  /** Characters of the answer, its reasoning and its tool calls' arguments together. */
  answerChars: number;
  /** Characters of one tool call's arguments. */
  toolArgumentChars: number;
}

export const DEFAULT_STREAM_LIMITS: StreamLimits = {
  eventChars: 4_000_000,
  answerChars: 16_000_000,
  toolArgumentChars: 4_000_000,
};

/** The failure for a stream that went over one of its limits. */
export function streamTooLarge(what: keyof StreamLimits, limit: number): GenosError {
  return new GenosError({
    kind: 'malformed',
    detail: 'tooLarge',
    message: `The stream went over its limit (${what}: ${limit} characters) and was stopped.`,
  });
}

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
  /** Characters of every tool call's arguments so far. */
  private callChars = 0;

  /** `token` is removed from any message the server reports in the stream. */
  constructor(
    private readonly limits: StreamLimits = DEFAULT_STREAM_LIMITS,
    private readonly token = '',
  ) {}

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
        return {
          events,
          failure: new GenosError({
            kind: 'streamError',
            serverMessage: scrubServerMessage(result.message, this.token),
            message: 'The server reported an error in the stream.',
          }),
        };
      }
      if (result.kind === 'malformed') {
        return { events, failure: new GenosError({ kind: 'malformed', message: result.message }) };
      }
      for (const event of result.events) {
        if (event.type === 'toolCallDelta') {
          const call = this.calls.get(event.index) ?? { id: '', name: '', arguments: '' };
          call.id ||= event.id ?? '';
          call.name ||= event.name ?? '';
          call.arguments += event.arguments ?? '';
          this.calls.set(event.index, call);
          this.callChars += (event.arguments ?? '').length;
          if (call.arguments.length > this.limits.toolArgumentChars) {
            return { events, failure: streamTooLarge('toolArgumentChars', this.limits.toolArgumentChars) };
          }
          // However many calls there are, together they count toward the answer's limit.
          if (this.text.length + this.reasoning.length + this.callChars > this.limits.answerChars) {
            return { events, failure: streamTooLarge('answerChars', this.limits.answerChars) };
          }
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
        if (this.text.length + this.reasoning.length + this.callChars + event.text.length > this.limits.answerChars) {
          return { events, failure: streamTooLarge('answerChars', this.limits.answerChars) };
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
