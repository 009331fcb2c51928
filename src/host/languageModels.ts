/**
 * GenOS models in VS Code's own chat (Language Model Chat Provider API, VS Code 1.104+): the
 * serving's models with their context windows, answers streamed through the same client, token,
 * network path and headers as the panel, tool calls for agent mode, and failures as the messages
 * the panel shows. The entry registers a stand-in that hands calls here (see nativeChatEntry.ts).
 */
import * as vscode from 'vscode';
import { describeError } from '../client/errorMessages';
import { GenosError } from '../client/errors';
import type { ToolSpec } from '../client/openai';
import { estimateMessages, estimateTokens } from '../shared/tokens';
import type { ConnectionManager } from './connection';
import { asGenosError, showError } from './errorUi';
import { t } from './l10n';
import type { ChatModelInformation, ChatModelProvider, PartConstructors, RequestMessage, ResponseOptions } from './lmApi';
import { modelDisplayName, toChatMessages, toolInput } from './lmMessages';
import type { Log } from './log';
import { requestSettings } from './settings';
import type { TurnRunner } from './turnRunner';

/** Tokens kept for the answer when `genos.maxTokens` is not set: a quarter of the window, at most this. */
const DEFAULT_OUTPUT_TOKENS = 4096;
const TOOL_MODE_REQUIRED = 2;

/** What the chat shows for a failure: the panel's message, in the user's language. */
export function chatError(error: GenosError): Error {
  const failure = new Error(describeError(error, t));
  failure.name = `GenOS ${error.kind}`;
  return failure;
}

export class GenosLanguageModels implements Omit<ChatModelProvider, 'onDidChangeLanguageModelChatInformation'> {
  constructor(
    private readonly connections: ConnectionManager,
    private readonly runner: TurnRunner,
    private readonly log: Log,
    private readonly parts: PartConstructors = vscode as unknown as PartConstructors,
  ) {}

  /**
   * The serving's models. Asked silently (at start, for the model picker) nothing is prompted and a
   * failure lists no models; asked by the user (Manage Models), a missing token is asked for and a
   * failure is shown.
   */
  async provideLanguageModelChatInformation(options: { readonly silent: boolean }, token: vscode.CancellationToken): Promise<ChatModelInformation[]> {
    try {
      return await this.runner.withConnection({ token, interactive: !options.silent }, async (connection, signal) => {
        const models = await this.runner.listModels(connection, signal);
        const settings = requestSettings();
        const infos: ChatModelInformation[] = [];
        for (const id of models) {
          const window = await this.connections.contextWindow(connection, id, signal);
          const output = Math.min(settings.maxTokens ?? DEFAULT_OUTPUT_TOKENS, Math.floor(window / 4));
          infos.push({
            id,
            name: modelDisplayName(id),
            family: 'genos',
            version: '1',
            detail: 'GenOS',
            tooltip: t('{0} on the GenOS serving {1} (context window {2} tokens)', id, connection.endpoint.href, window),
            maxInputTokens: window - output,
            maxOutputTokens: output,
            // Agent mode, the chat's default, lists only models that call tools. Whether this
            // serving does is known only when it answers; a refusal says so clearly.
            capabilities: { toolCalling: true, imageInput: false },
          });
        }
        this.log.info(`VS Code's chat: ${infos.length} GenOS models listed`);
        return infos;
      });
    } catch (error) {
      const failure = asGenosError(error, this.log);
      this.log.warn(`VS Code's chat: no GenOS models listed (${failure.kind}: ${failure.message})`);
      if (!options.silent) void showError(failure, this.log);
      return [];
    }
  }

  /** Streams one answer: text as it arrives, tool calls whole with their parsed arguments. */
  async provideLanguageModelChatResponse(model: ChatModelInformation, messages: readonly RequestMessage[], options: ResponseOptions, progress: vscode.Progress<unknown>, token: vscode.CancellationToken): Promise<void> {
    const tools: ToolSpec[] = (options.tools ?? []).map((tool) => ({ name: tool.name, description: tool.description, parameters: tool.inputSchema }));
    const settings = requestSettings();
    let text = '';
    let reasoning = '';
    try {
      await this.runner.withConnection({ token }, async (connection, signal) => {
        const chatOptions = { model: model.id, temperature: settings.temperature, maxTokens: settings.maxTokens, tools, toolChoice: options.toolMode === TOOL_MODE_REQUIRED ? ('required' as const) : undefined };
        for await (const event of connection.client.chat(toChatMessages(messages), chatOptions, signal)) {
          if (event.type === 'content') {
            text += event.text;
            progress.report(new this.parts.LanguageModelTextPart(event.text));
          } else if (event.type === 'reasoning') {
            reasoning += event.text;
          } else if (event.type === 'toolCall') {
            const input = toolInput(event.call);
            if (!input) throw new GenosError({ kind: 'malformed', message: `The model called ${event.call.name} with arguments that are not a JSON object.` });
            progress.report(new this.parts.LanguageModelToolCallPart(event.call.id, event.call.name, input));
          }
        }
      });
    } catch (error) {
      const failure = asGenosError(error, this.log);
      if (failure.kind === 'cancelled') return;
      this.log.warn(`VS Code's chat: ${model.id} failed (${failure.kind}: ${failure.message})`);
      throw chatError(failure);
    }
    // Some GenOS servings put the whole reply in the reasoning field: show what the model said.
    if (!text && reasoning) progress.report(new this.parts.LanguageModelTextPart(reasoning));
  }

  /** The panel's estimate (per script, no tokenizer download). */
  async provideTokenCount(_model: ChatModelInformation, text: string | RequestMessage): Promise<number> {
    if (typeof text === 'string') return estimateTokens(text);
    return estimateMessages(toChatMessages([text]));
  }
}
