/**
 * GenOS models in VS Code's own chat (Language Model Chat Provider API, VS Code 1.104+): the
 * serving's models with their context windows, answers streamed through the same client, token,
 * network path and headers as the panel, tool calls for agent mode, and failures as the messages
 * the panel shows. The entry registers a stand-in that hands calls here (see nativeChatEntry.ts).
 */
import * as vscode from 'vscode';
import { describeError } from '../../client/errorMessages';
import { GenosError } from '../../client/errors';
import type { ToolCall, ToolSpec } from '../../client/openai';
import { estimateMessages, estimateTokens } from '../../shared/tokens';
import { ImageLinks, imagesAsLinks } from '../../shared/imageLinks';
import { outputReserve } from '../requests/contextBudget';
import type { ConnectionManager } from '../connection/connectionManager';
import { asGenosError, showError } from '../connection/errorUi';
import { t } from '../base/l10n';
import type {
  ChatModelInformation,
  ChatModelProvider,
  PartConstructors,
  RequestMessage,
  ResponseOptions,
} from './lmApi';
import { modelDisplayName, toChatMessages, toolInput } from './lmMessages';
import { MODELS_LISTED } from '../base/entryKeys';
import type { Log } from '../base/log';
import { requestSettings } from '../connection/settings';
import { replyOf, type RequestPath } from '../requests/requestPath';

const TOOL_MODE_REQUIRED = 2;

/**
 * A serving that could not list its models when the chat asked (unreachable at start-up, busy) is
 * asked again after 2 s, then twice as long each time up to 5 minutes, 10 times at most; the first
 * listing that succeeds ends it. A change of settings or token starts the count again.
 */
const RELIST_FIRST_MS = 2000;
const RELIST_MAX_MS = 300_000;
const RELIST_TRIES = 10;
const TRANSIENT: ReadonlySet<GenosError['kind']> = new Set(['network', 'timeout', 'server', 'rateLimited']);

/** What the chat shows for a failure: the panel's message, in the user's language. */
export function chatError(error: GenosError): Error {
  const failure = new Error(describeError(error, t));
  failure.name = `GenOS ${error.kind}`;
  return failure;
}

export class GenosLanguageModels
  implements Omit<ChatModelProvider, 'onDidChangeLanguageModelChatInformation'>, vscode.Disposable
{
  private relistTimer?: NodeJS.Timeout;
  private relists = 0;

  /**
   * `changed` tells VS Code's chat that the models may differ, so that it asks again; `state`
   * remembers that models were listed, so that the next window asks for them at once.
   */
  constructor(
    private readonly connections: ConnectionManager,
    private readonly requests: RequestPath,
    private readonly log: Log,
    private readonly changed: () => void = () => undefined,
    private readonly state?: vscode.Memento,
    private readonly parts: PartConstructors = vscode as unknown as PartConstructors,
  ) {}

  dispose(): void {
    clearTimeout(this.relistTimer);
  }

  /** Settings or the token changed: a serving that failed gets its full count of retries again. */
  reset(): void {
    clearTimeout(this.relistTimer);
    this.relistTimer = undefined;
    this.relists = 0;
  }

  private listed(count: number): void {
    this.reset();
    if (count > 0 && this.state?.get(MODELS_LISTED) !== true) void this.state?.update(MODELS_LISTED, true);
  }

  /** Asks the chat to list the models again later, when the failure may pass by itself. */
  private relistLater(failure: GenosError): void {
    if (!TRANSIENT.has(failure.kind) || this.relistTimer || this.relists >= RELIST_TRIES) return;
    const delay = Math.min(RELIST_FIRST_MS * 2 ** this.relists, RELIST_MAX_MS);
    this.relists++;
    this.log.info(
      `VS Code's chat: asking GenOS for its models again in ${delay / 1000} s (${this.relists} of ${RELIST_TRIES})`,
    );
    this.relistTimer = setTimeout(() => {
      this.relistTimer = undefined;
      this.changed();
    }, delay);
  }

  /**
   * The serving's models. Asked silently (at start, for the model picker) nothing is prompted and a
   * failure lists no models; asked by the user (Manage Models), a missing token is asked for and a
   * failure is shown.
   */
  async provideLanguageModelChatInformation(
    options: { readonly silent: boolean },
    token: vscode.CancellationToken,
  ): Promise<ChatModelInformation[]> {
    try {
      const ask = { token, interactive: !options.silent };
      return await this.connections.withConnection(ask, async (connection, signal) => {
        const models = await this.connections.servings.listModels(connection, signal);
        const settings = requestSettings();
        const infos: ChatModelInformation[] = [];
        for (const id of models) {
          const window = await this.connections.servings.contextWindow(connection, id, signal);
          const output = outputReserve(settings.maxTokens, window).reserve;
          infos.push({
            id,
            name: modelDisplayName(id),
            family: 'genos',
            version: '1',
            detail: 'GenOS',
            tooltip: t(
              '{0} on the GenOS serving {1} (context window {2} tokens)',
              id,
              connection.endpoint.href,
              window,
            ),
            maxInputTokens: window - output,
            maxOutputTokens: output,
            // Agent mode, the chat's default, lists only models that call tools. Whether this
            // serving does is known only when it answers; a refusal says so clearly.
            capabilities: { toolCalling: true, imageInput: false },
          });
        }
        this.log.info(`VS Code's chat: ${infos.length} GenOS models listed`);
        this.listed(infos.length);
        return infos;
      });
    } catch (error) {
      const failure = asGenosError(error, this.log);
      this.log.warn(`VS Code's chat: no GenOS models listed (${failure.kind}: ${failure.message})`);
      if (!options.silent) void showError(failure, this.log);
      this.relistLater(failure);
      return [];
    }
  }

  /** Streams one answer: text as it arrives, tool calls whole with their parsed arguments. */
  async provideLanguageModelChatResponse(
    model: ChatModelInformation,
    messages: readonly RequestMessage[],
    options: ResponseOptions,
    progress: vscode.Progress<unknown>,
    token: vscode.CancellationToken,
  ): Promise<void> {
    const tools: ToolSpec[] = (options.tools ?? []).map((tool) => ({
      name: tool.name,
      description: tool.description,
      parameters: tool.inputSchema,
    }));
    let text = '';
    let reasoning = '';
    // The chat renders the model's markdown with the workbench's renderer: images become links.
    const links = new ImageLinks();
    const request = {
      token,
      model: model.id,
      // Sent as they are: the chat fitted them to the window it was told when the models were listed.
      messages: toChatMessages(messages),
      tools,
      toolChoice: options.toolMode === TOOL_MODE_REQUIRED ? ('required' as const) : undefined,
    };
    try {
      for await (const event of this.requests.stream(request)) {
        if (event.type === 'content') {
          text += event.text;
          const safe = links.push(event.text);
          if (safe) progress.report(new this.parts.LanguageModelTextPart(safe));
        } else if (event.type === 'reasoning') {
          reasoning += event.text;
        } else if (event.type === 'toolCall') {
          progress.report(this.toolCallPart(event.call, tools));
        }
      }
    } catch (error) {
      const failure = asGenosError(error, this.log);
      if (failure.kind === 'cancelled') return;
      this.log.warn(`VS Code's chat: ${model.id} failed (${failure.kind}: ${failure.message})`);
      throw chatError(failure);
    }
    const rest = links.end();
    if (rest) progress.report(new this.parts.LanguageModelTextPart(rest));
    // Nothing in the answer field: what the model said is in its reasoning.
    const reply = replyOf({ answer: text, reasoning });
    if (!text && reply) progress.report(new this.parts.LanguageModelTextPart(imagesAsLinks(reply)));
  }

  /** A tool call for the chat; only a tool it offered, with a JSON object for arguments. */
  private toolCallPart(call: ToolCall, tools: ToolSpec[]): unknown {
    if (!tools.some((tool) => tool.name === call.name)) {
      throw new GenosError({
        kind: 'malformed',
        detail: 'unknownTool',
        serverMessage: call.name.slice(0, 100),
        message: 'The model called a tool it was not offered.',
      });
    }
    const input = toolInput(call);
    if (!input) {
      const message = `The model called ${call.name} with arguments that are not a JSON object.`;
      throw new GenosError({ kind: 'malformed', message });
    }
    return new this.parts.LanguageModelToolCallPart(call.id, call.name, input);
  }

  /** The panel's estimate (per script, no tokenizer download). */
  async provideTokenCount(_model: ChatModelInformation, text: string | RequestMessage): Promise<number> {
    if (typeof text === 'string') return estimateTokens(text);
    return estimateMessages(toChatMessages([text]));
  }
}
