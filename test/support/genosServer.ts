/**
 * A GenOS-compatible server for tests and local trials: the gateway path and bearer check in front
 * of vLLM's OpenAI-compatible API, streaming in the exact chunk shape GenOS sends, and every fault
 * a real network and server produce. Listens on loopback, port 0 unless told otherwise.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as tls from 'node:tls';
import { estimateMessages, MESSAGE_OVERHEAD } from '../../src/shared/tokens';

/** How a stream ends. */
export type StreamEnding =
  | 'done' // finish chunk, usage chunk, then `data: [DONE]`
  | 'doneHeldOpen' // as 'done', then the connection stays open (a gateway that keeps it alive)
  | 'finishNoDone' // finish chunk and close, without [DONE] (some proxies)
  | 'cut' // the socket is destroyed mid-answer
  | 'eof' // the response ends cleanly mid-answer, no finish, no [DONE]
  | 'stall' // nothing more is written; the connection stays open
  | 'errorEvent' // vLLM's error object inside the stream
  | 'malformed'; // a data line that is not JSON

export interface StreamScenario {
  type: 'stream';
  content?: string[];
  reasoning?: string[];
  /** The delta field for reasoning; vLLM uses `reasoning_content`, newer versions `reasoning`. */
  reasoningField?: 'reasoning_content' | 'reasoning';
  /** Milliseconds between deltas. */
  delayMs?: number;
  /** Write the bytes in pieces of this size (cuts inside UTF-8 characters), each flushed apart. */
  pieceBytes?: number;
  /** A `: keep-alive` comment before each delta. */
  keepAlive?: boolean;
  ending?: StreamEnding;
  /** Deltas written before a faulty ending; default: all. */
  failAfter?: number;
  errorMessage?: string;
  finishReason?: string;
  /** Called after delta `index` was written, with the time (epoch ms, sub-ms precision). */
  onWrite?: (index: number, at: number) => void;
  /**
   * Tool calls after the content, streamed as vLLM does: the id and name first, then the
   * arguments in three pieces; the finish reason is then `tool_calls`.
   */
  toolCalls?: Array<{ name: string; arguments: string }>;
}

export interface StatusScenario {
  type: 'status';
  status: number;
  body?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

/** A whole JSON completion even though a stream was asked for. */
export interface JsonScenario {
  type: 'json';
  content: string;
  reasoning?: string;
}

/** Accept the request and never send response headers. */
export interface HangScenario {
  type: 'hang';
}

/** Reset the connection on receiving the request, before any response. */
export interface ResetScenario {
  type: 'reset';
}

/** Exactly these bytes, for what the other scenarios cannot say: each part written on its own. */
export interface RawScenario {
  type: 'raw';
  status?: number;
  contentType?: string;
  parts: string[];
  /** False: after the parts the response stays open, without another byte. */
  end?: boolean;
  /**
   * After the parts, writes the last one again every this many milliseconds until the client
   * closes the connection (at most `repeatLimit` times, default 10,000): a body that never ends.
   */
  repeatEveryMs?: number;
  repeatLimit?: number;
}

export type Scenario = StreamScenario | StatusScenario | JsonScenario | HangScenario | ResetScenario | RawScenario;

/** A `/v1/completions` answer: this text (default: the FIM-aware one), after a delay. */
export interface CompletionScenario {
  type: 'completion';
  text?: string;
  delayMs?: number;
  /** Only for a prompt that contains this; other requests pass it by. */
  match?: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
  /** Resolves when the connection of this request closes, from either side. */
  closed: Promise<void>;
  /** True once the server wrote the whole response. */
  finished: boolean;
  /** True when the connection closed before the server finished its response. */
  closedEarly: boolean;
  /** When the request's headers arrived, and when its response was finished (epoch ms, sub-ms precision). */
  arrivedAt: number;
  finishedAt?: number;
  /** For chat requests: the prompt's tokens as this server counts them. */
  promptTokens?: number;
}

export interface FakeGenosOptions {
  token?: string;
  servingId?: string;
  /** A path prefix in front of the gateway path, as when GenOS sits behind a reverse proxy. */
  prefix?: string;
  models?: string[];
  port?: number;
  host?: string;
  /** Serve HTTPS with this key and certificate (PEM). */
  tls?: { key: string; cert: string };
  /** Further serving ids answered like the first. */
  otherServings?: string[];
  /**
   * The models' context window, listed as `max_model_len`; when set, a chat request over it is
   * refused with vLLM's 400. `null` lists no window at all.
   */
  maxModelLen?: number | null;
  /** Server tokens per token of the extension's estimate (a tokenizer that counts differently). */
  tokenRatio?: number;
  /** False: refuse requests with `tools`, as vLLM does without `--enable-auto-tool-choice`. */
  toolCalling?: boolean;
}

const MODEL_PATH = '/model/snapshots/9eb2daaa8597bf192a8b0e73f848f3a102794df5';

/** Splits text into deltas of `size` characters (code points, so no character is cut). */
export function splitDeltas(text: string, size: number): string[] {
  const chars = Array.from(text);
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += size) out.push(chars.slice(i, i + size).join(''));
  return out;
}

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class FakeGenos {
  readonly token: string;
  readonly servingId: string;
  readonly prefix: string;
  models: string[];
  /** Scenarios for the next chat requests, used first-in first-out; then {@link defaultScenario}. */
  readonly chatQueue: Scenario[] = [];
  /** Scenarios for the next models requests; then the models list. */
  readonly modelsQueue: Scenario[] = [];
  /** Scenarios for the next `/v1/completions` requests; then {@link fimCompletion} at once. */
  readonly completionQueue: Array<CompletionScenario | StatusScenario | HangScenario> = [];
  /** Further serving ids this GenOS answers for (a completion serving beside the chat one). */
  readonly otherServings: string[];
  readonly requests: RecordedRequest[] = [];
  /** False: refuse requests with `tools` (from {@link FakeGenosOptions.toolCalling}; may change). */
  toolCalling: boolean;
  /** True: refuse `chat_template_kwargs`, as a gateway that forbids extra fields does. */
  refuseTemplateKwargs = false;
  /** False: `/tokenize` is not found, as behind a gateway that does not forward it. */
  tokenize = true;
  private readonly server: http.Server;
  private readonly sockets = new Set<import('node:net').Socket>();
  private address?: AddressInfo;

  constructor(private readonly options: FakeGenosOptions = {}) {
    this.token = options.token ?? 'test-token-0123456789';
    this.servingId = options.servingId ?? '43';
    this.prefix = options.prefix ?? '';
    this.models = options.models ?? [MODEL_PATH];
    this.otherServings = options.otherServings ?? [];
    this.toolCalling = options.toolCalling !== false;
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => void this.handle(req, res);
    this.server = options.tls
      ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, handler)
      : http.createServer(handler);
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.setNoDelay(true);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.server.on('secureConnection', (socket) => socket.setNoDelay(true));
  }

  /** Starts listening; resolves with the base URL (what a user puts in `genos.baseUrl`). */
  async start(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => resolve());
    });
    this.address = this.server.address() as AddressInfo;
    return this.baseUrl;
  }

  get port(): number {
    if (!this.address) throw new Error('FakeGenos is not started');
    return this.address.port;
  }

  get baseUrl(): string {
    const scheme = this.options.tls ? 'https' : 'http';
    const host = this.options.host ?? '127.0.0.1';
    return `${scheme}://${host.includes(':') ? `[${host}]` : host}:${this.port}${this.prefix}`;
  }

  get endpointPath(): string {
    return `${this.prefix}/api/gateway/rep/serving/${this.servingId}`;
  }

  /** Chat requests received so far. */
  get chatRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.path.endsWith('/v1/chat/completions'));
  }

  /**
   * How many tokens this server's tokenizer counts in `messages`, and in `tools`: a chat template
   * writes the tools' schemas and the calls' arguments into the prompt too.
   */
  countTokens(messages: Array<{ content: string; tool_calls?: unknown }>, tools?: unknown): number {
    const calls = messages.map((m) => ({ content: m.tool_calls ? JSON.stringify(m.tool_calls) : '' }));
    const schemas = tools ? [{ content: JSON.stringify(tools) }] : [];
    const raw =
      estimateMessages(messages) +
      estimateMessages([...calls, ...schemas]) -
      MESSAGE_OVERHEAD * (calls.length + schemas.length);
    return Math.ceil(raw * (this.options.tokenRatio ?? 1));
  }

  /** Completion requests received so far. */
  get completionRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.path.endsWith('/v1/completions'));
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const arrivedAt = performance.timeOrigin + performance.now();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: unknown = undefined;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      body = raw;
    }
    let resolveClosed!: () => void;
    const record: RecordedRequest = {
      method: req.method ?? '',
      path: req.url ?? '',
      headers: req.headers,
      body,
      closed: new Promise<void>((resolve) => (resolveClosed = resolve)),
      finished: false,
      closedEarly: false,
      arrivedAt,
    };
    this.requests.push(record);
    res.on('finish', () => {
      record.finished = true;
      record.finishedAt = performance.timeOrigin + performance.now();
    });
    res.on('close', () => {
      if (!record.finished) record.closedEarly = true;
      resolveClosed();
    });

    const path = (req.url ?? '').split('?')[0];
    const serving = [this.servingId, ...this.otherServings]
      .map((id) => `${this.prefix}/api/gateway/rep/serving/${id}`)
      .find((endpoint) => path.startsWith(`${endpoint}/`));
    if (!serving) {
      this.sendStatus(res, {
        type: 'status',
        status: 404,
        contentType: 'text/html',
        body: '<html><head><title>404 Not Found</title></head><body><center><h1>404 Not Found</h1></center><hr><center>nginx</center></body></html>',
      });
      return;
    }
    if (req.headers.authorization !== `Bearer ${this.token}`) {
      this.sendStatus(res, { type: 'status', status: 401, body: JSON.stringify({ detail: 'Not authenticated' }) });
      return;
    }
    const api = path.slice(serving.length);
    if (api === '/v1/models' && req.method === 'GET') {
      const scenario = this.modelsQueue.shift();
      if (scenario) await this.play(scenario, res, body);
      else this.sendModels(res);
      return;
    }
    if (api === '/tokenize' && req.method === 'POST' && this.tokenize) {
      // vLLM's answer: the count of the chat template's tokens, the window, and the tokens.
      const request = body as { messages?: Array<{ content: string }>; tools?: unknown };
      const count = this.countTokens(request.messages ?? [], request.tools);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ count, max_model_len: this.options.maxModelLen ?? 32768, tokens: Array(count).fill(1) }),
      );
      return;
    }
    if (api === '/v1/chat/completions' && req.method === 'POST') {
      const request = body as { stream?: boolean; messages?: Array<{ role: string; content: string }> } | undefined;
      if (!request || !Array.isArray(request.messages)) {
        this.sendStatus(res, {
          type: 'status',
          status: 400,
          body: JSON.stringify({
            object: 'error',
            message: 'messages is required',
            type: 'BadRequestError',
            code: 400,
          }),
        });
        return;
      }
      const promptTokens = this.countTokens(request.messages, (body as { tools?: unknown }).tools);
      record.promptTokens = promptTokens;
      const window = this.options.maxModelLen;
      const completion = (body as { max_tokens?: number }).max_tokens ?? 0;
      if (typeof window === 'number' && promptTokens + completion > window) {
        const message = `This model's maximum context length is ${window} tokens. However, you requested ${promptTokens + completion} tokens (${promptTokens} in the messages, ${completion} in the completion). Please reduce the length of the messages or completion.`;
        this.sendStatus(res, {
          type: 'status',
          status: 400,
          body: JSON.stringify({ object: 'error', message, type: 'BadRequestError', param: null, code: 400 }),
        });
        return;
      }
      if (this.refuseTemplateKwargs && (body as { chat_template_kwargs?: unknown }).chat_template_kwargs) {
        const detail = [
          {
            type: 'extra_forbidden',
            loc: ['body', 'chat_template_kwargs'],
            msg: 'Extra inputs are not permitted',
            input: (body as { chat_template_kwargs?: unknown }).chat_template_kwargs,
          },
        ];
        this.sendStatus(res, {
          type: 'status',
          status: 400,
          body: JSON.stringify({
            object: 'error',
            message: JSON.stringify(detail),
            type: 'BadRequestError',
            code: 400,
          }),
        });
        return;
      }
      if (!this.toolCalling && Array.isArray((body as { tools?: unknown }).tools)) {
        const message = '"auto" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set';
        this.sendStatus(res, {
          type: 'status',
          status: 400,
          body: JSON.stringify({ object: 'error', message, type: 'BadRequestError', param: null, code: 400 }),
        });
        return;
      }
      const scenario = this.chatQueue.shift() ?? defaultScenario(request.messages);
      if (!request.stream && scenario.type === 'stream') {
        await this.play(
          { type: 'json', content: (scenario.content ?? []).join(''), reasoning: scenario.reasoning?.join('') },
          res,
          body,
        );
        return;
      }
      await this.play(scenario, res, body);
      return;
    }
    if (api === '/v1/completions' && req.method === 'POST') {
      const request = body as { prompt?: unknown; suffix?: unknown } | undefined;
      if (request?.suffix !== undefined) {
        // vLLM's OpenAI server refuses `suffix`.
        this.sendStatus(res, {
          type: 'status',
          status: 400,
          body: JSON.stringify({
            object: 'error',
            message: 'suffix is not currently supported',
            type: 'BadRequestError',
            code: 400,
          }),
        });
        return;
      }
      if (typeof request?.prompt !== 'string') {
        this.sendStatus(res, {
          type: 'status',
          status: 400,
          body: JSON.stringify({ object: 'error', message: 'prompt is required', type: 'BadRequestError', code: 400 }),
        });
        return;
      }
      const index = this.completionQueue.findIndex(
        (queued) =>
          queued.type !== 'completion' ||
          queued.match === undefined ||
          (request.prompt as string).includes(queued.match),
      );
      const scenario = index < 0 ? { type: 'completion' as const } : this.completionQueue.splice(index, 1)[0];
      if (scenario.type !== 'completion') {
        await this.play(scenario, res, body);
        return;
      }
      if (scenario.delayMs) await wait(scenario.delayMs);
      if (res.destroyed) return;
      const text = scenario.text ?? fimCompletion(request.prompt);
      const completion = {
        id: `cmpl-${Date.now().toString(16)}`,
        object: 'text_completion',
        created: Math.floor(Date.now() / 1000),
        model: this.models[0],
        choices: [{ index: 0, text, logprobs: null, finish_reason: 'stop', stop_reason: null }],
        usage: { prompt_tokens: 20, completion_tokens: text.length, total_tokens: 20 + text.length },
      };
      this.sendStatus(res, { type: 'status', status: 200, body: JSON.stringify(completion) });
      return;
    }
    this.sendStatus(res, { type: 'status', status: 404, body: JSON.stringify({ detail: 'Not Found' }) });
  }

  private sendModels(res: http.ServerResponse): void {
    const created = Math.floor(Date.now() / 1000);
    const window = this.options.maxModelLen === undefined ? 32768 : this.options.maxModelLen;
    const data = this.models.map((id) => ({
      id,
      object: 'model',
      created,
      owned_by: 'vllm',
      root: id,
      parent: null,
      ...(window === null ? {} : { max_model_len: window }),
    }));
    this.sendStatus(res, { type: 'status', status: 200, body: JSON.stringify({ object: 'list', data }) });
  }

  private sendStatus(res: http.ServerResponse, scenario: StatusScenario): void {
    res.writeHead(scenario.status, { 'Content-Type': scenario.contentType ?? 'application/json', ...scenario.headers });
    res.end(scenario.body ?? '');
  }

  private async play(scenario: Scenario, res: http.ServerResponse, body: unknown): Promise<void> {
    const model = (body as { model?: string } | undefined)?.model ?? this.models[0];
    switch (scenario.type) {
      case 'status':
        this.sendStatus(res, scenario);
        return;
      case 'raw':
        res.writeHead(scenario.status ?? 200, { 'Content-Type': scenario.contentType ?? 'text/event-stream' });
        for (const part of scenario.parts) await new Promise<void>((resolve) => res.write(part, () => resolve()));
        if (scenario.repeatEveryMs !== undefined) {
          const last = scenario.parts[scenario.parts.length - 1] ?? '';
          for (let i = 0; i < (scenario.repeatLimit ?? 10_000) && !res.destroyed && !res.socket?.destroyed; i++) {
            await new Promise((resolve) => setTimeout(resolve, scenario.repeatEveryMs));
            await new Promise<void>((resolve) => res.write(last, () => resolve()));
          }
        }
        if (scenario.end !== false) res.end();
        return;
      case 'hang':
        return;
      case 'reset':
        // A TCP reset where the socket is plain; a TLS socket can only be dropped.
        if (res.socket instanceof tls.TLSSocket) res.socket.destroy();
        else res.socket?.resetAndDestroy();
        return;
      case 'json': {
        const message: Record<string, unknown> = { role: 'assistant', content: scenario.content };
        if (scenario.reasoning) message.reasoning_content = scenario.reasoning;
        const completion = {
          id: `chat-${Date.now().toString(16)}`,
          object: 'chat.completion',
          created: Math.floor(Date.now() / 1000),
          model,
          choices: [{ index: 0, message, logprobs: null, finish_reason: 'stop', stop_reason: null }],
          usage: {
            prompt_tokens: 12,
            completion_tokens: scenario.content.length,
            total_tokens: 12 + scenario.content.length,
          },
        };
        this.sendStatus(res, { type: 'status', status: 200, body: JSON.stringify(completion) });
        return;
      }
      case 'stream':
        await this.stream(
          scenario,
          res,
          model,
          (body as { stream_options?: { include_usage?: boolean } }).stream_options?.include_usage === true,
          this.countTokens((body as { messages?: Array<{ content: string }> }).messages ?? []),
        );
        return;
    }
  }

  private async stream(
    s: StreamScenario,
    res: http.ServerResponse,
    model: string,
    includeUsage: boolean,
    promptTokens: number,
  ): Promise<void> {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache',
      Connection: 'keep-alive',
    });
    const id = `chat-${Math.random().toString(16).slice(2)}${Date.now().toString(16)}`;
    const created = Math.floor(Date.now() / 1000);
    const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
      JSON.stringify({
        id,
        object: 'chat.completion.chunk',
        created,
        model,
        choices: [{ index: 0, delta, logprobs: null, finish_reason: finish, stop_reason: null }],
      });
    const write = async (text: string) => {
      if (res.destroyed) return;
      const bytes = Buffer.from(text, 'utf8');
      if (!s.pieceBytes) {
        res.write(bytes);
        return;
      }
      for (let i = 0; i < bytes.length && !res.destroyed; i += s.pieceBytes) {
        res.write(bytes.subarray(i, i + s.pieceBytes));
        await wait(1);
      }
    };
    const deltas: Array<Record<string, unknown>> = [
      ...(s.reasoning ?? []).map((text) => ({ [s.reasoningField ?? 'reasoning_content']: text })),
      ...(s.content ?? []).map((text) => ({ content: text })),
    ];
    const ending = s.ending ?? 'done';
    const limit =
      ending === 'done' || ending === 'doneHeldOpen' || ending === 'finishNoDone'
        ? deltas.length
        : Math.min(s.failAfter ?? deltas.length, deltas.length);

    await write(`data: ${chunk({ role: 'assistant', content: '' })}\n\n`);
    for (let i = 0; i < limit; i++) {
      if (res.destroyed) return;
      if (s.delayMs) await wait(s.delayMs);
      if (s.keepAlive) await write(': keep-alive\n\n');
      await write(`data: ${chunk(deltas[i])}\n\n`);
      s.onWrite?.(i, performance.timeOrigin + performance.now());
    }
    if (res.destroyed) return;
    for (const [index, call] of (ending === 'done' ? (s.toolCalls ?? []) : []).entries()) {
      await write(
        `data: ${chunk({ tool_calls: [{ index, id: `chatcmpl-tool-${index}${id.slice(-6)}`, type: 'function', function: { name: call.name, arguments: '' } }] })}\n\n`,
      );
      const third = Math.ceil(call.arguments.length / 3);
      for (let at = 0; at < call.arguments.length; at += third) {
        await write(
          `data: ${chunk({ tool_calls: [{ index, function: { arguments: call.arguments.slice(at, at + third) } }] })}\n\n`,
        );
      }
    }
    switch (ending) {
      case 'done':
      case 'doneHeldOpen':
      case 'finishNoDone': {
        await write(
          `data: ${chunk({ content: '' }, s.finishReason ?? (s.toolCalls?.length ? 'tool_calls' : 'stop'))}\n\n`,
        );
        if (ending !== 'finishNoDone') {
          if (includeUsage) {
            const completion = deltas.length;
            await write(
              `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [], usage: { prompt_tokens: promptTokens, total_tokens: promptTokens + completion, completion_tokens: completion } })}\n\n`,
            );
          }
          await write('data: [DONE]\n\n');
        }
        if (ending !== 'doneHeldOpen') res.end();
        return;
      }
      case 'cut':
        // Let what was written reach the client first: a reset can discard unsent data.
        await wait(50);
        res.socket?.destroy();
        return;
      case 'eof':
        res.end();
        return;
      case 'stall':
        return;
      case 'errorEvent':
        await write(
          `data: ${JSON.stringify({ error: { object: 'error', message: s.errorMessage ?? 'CUDA out of memory', type: 'InternalServerError', param: null, code: 500 } })}\n\n`,
        );
        res.end();
        return;
      case 'malformed':
        await write('data: {"id": "chat-1", "choices": [{"delta": {"content": "x"\n\n');
        res.end();
        return;
    }
  }
}

/**
 * The answer given when a test queued nothing: a short markdown reply that quotes the question.
 * Tags in the question choose behaviours, for trying the extension by hand: `[slow]`, `[think]`,
 * `[long]`, `[cut]`, `[stall]`, `[error]`, `[500]`, `[429]`.
 */
export function defaultScenario(messages: Array<{ role: string; content: string }>): Scenario {
  const question = [...messages].reverse().find((m) => m.role === 'user')?.content ?? '';
  const firstLine = question.split('\n')[0].slice(0, 200);
  const answer =
    `## 답변 (Answer)\n\n질문: **${firstLine}**\n\n` +
    '- 이것은 테스트 서버의 답변입니다.\n- This is the test server answering.\n\n' +
    '```ts\nfunction greet(name: string): string {\n  return `안녕하세요, ${name}!`;\n}\n```\n\n`inline code` 와 _emphasis_.';
  const tags = (tag: string) => question.includes(`[${tag}]`);
  if (tags('500')) {
    return {
      type: 'status',
      status: 500,
      body: JSON.stringify({
        object: 'error',
        message: 'The model worker crashed.',
        type: 'InternalServerError',
        code: 500,
      }),
    };
  }
  if (tags('429')) {
    return {
      type: 'status',
      status: 429,
      headers: { 'Retry-After': '30' },
      body: JSON.stringify({ object: 'error', message: 'Too many requests', code: 429 }),
    };
  }
  const long = tags('long') ? `${answer}\n\n${'긴 문단입니다. A long paragraph. '.repeat(400)}` : answer;
  return {
    type: 'stream',
    content: splitDeltas(long, 3),
    reasoning: tags('think')
      ? splitDeltas('먼저 질문을 이해해 봅시다. Let me think about the question first.', 4)
      : undefined,
    delayMs: tags('slow') ? 120 : 8,
    ending: tags('cut') ? 'cut' : tags('stall') ? 'stall' : tags('error') ? 'errorEvent' : 'done',
    failAfter: 10,
  };
}

/** The prefix and suffix of a fill-in-the-middle prompt in any format the extension builds. */
export function parseFimPrompt(prompt: string): { prefix: string; suffix: string } | undefined {
  const formats: Array<[RegExp, 'ps' | 'sp']> = [
    [/<\|fim_prefix\|>([\s\S]*)<\|fim_suffix\|>([\s\S]*)<\|fim_middle\|>$/, 'ps'],
    [/<｜fim▁begin｜>([\s\S]*)<｜fim▁hole｜>([\s\S]*)<｜fim▁end｜>$/, 'ps'],
    [/<fim_prefix>([\s\S]*)<fim_suffix>([\s\S]*)<fim_middle>$/, 'ps'],
    [/^<PRE> ([\s\S]*) <SUF>([\s\S]*) <MID>$/, 'ps'],
    [/^\[SUFFIX\]([\s\S]*)\[PREFIX\]([\s\S]*)$/, 'sp'],
  ];
  for (const [pattern, order] of formats) {
    const match = pattern.exec(prompt);
    if (match) return order === 'ps' ? { prefix: match[1], suffix: match[2] } : { prefix: match[2], suffix: match[1] };
  }
  return undefined;
}

/**
 * A deterministic completion that depends on the text before and after the cursor, so tests and a
 * person trying the extension see ghost text that fits: after `name =` a string, inside a call an
 * argument, at the start of a block's body a return, elsewhere a short comment.
 */
export function fimCompletion(prompt: string): string {
  const parts = parseFimPrompt(prompt);
  if (!parts) return '';
  const lines = parts.prefix.split('\n');
  const line = lines[lines.length - 1];
  const restOfLine = parts.suffix.split('\n')[0];
  const words = parts.prefix.match(/[A-Za-z_$][\w$]*/g) ?? [];
  const word = words[words.length - 1] ?? 'value';
  if (/=\s*$/.test(line)) return `'${word} from GenOS'${restOfLine.trim().startsWith(';') ? '' : ';'}`;
  if (/\(\s*$/.test(line)) return `${word}Argument${restOfLine.trim().startsWith(')') ? '' : ')'}`;
  if (line.trim() === '' && /\{\s*$/.test(lines[lines.length - 2] ?? '')) return `${line ? '' : '  '}return ${word};`;
  const next = (parts.suffix.match(/[A-Za-z_$][\w$]*/) ?? ['end'])[0];
  return ` // ${word} before ${next}`;
}
