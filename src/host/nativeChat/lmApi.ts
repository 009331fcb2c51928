/**
 * The parts of VS Code's Language Model Chat Provider API (stable since 1.104) that the extension
 * uses. The extension supports VS Code 1.90 and builds against its types, so these are declared
 * here and the API is looked up at run time: where it is missing, the chat panel is the only
 * surface. Types only: nothing here is bundled.
 */
import type * as vscode from 'vscode';

/** The vendor under which GenOS models appear in VS Code's chat (`languageModelChatProviders`). */
export const VENDOR = 'genos';
/** The `@genos` participant (`chatParticipants`). */
export const PARTICIPANT_ID = 'genos.chat';

export interface ChatModelInformation {
  readonly id: string;
  readonly name: string;
  readonly family: string;
  readonly version: string;
  readonly tooltip?: string;
  readonly detail?: string;
  readonly maxInputTokens: number;
  readonly maxOutputTokens: number;
  readonly capabilities: { readonly imageInput?: boolean; readonly toolCalling?: boolean | number };
}

/** A part of a request message: text, a tool call the model made, or a tool's result. */
export interface RequestMessagePart {
  readonly value?: unknown;
  readonly callId?: string;
  readonly name?: string;
  readonly input?: object;
  readonly content?: readonly unknown[];
  readonly mimeType?: string;
}

export interface RequestMessage {
  /** 1 user, 2 assistant, 3 system (`LanguageModelChatMessageRole`). */
  readonly role: number;
  readonly content: readonly unknown[];
  readonly name: string | undefined;
}

export interface ChatTool {
  readonly name: string;
  readonly description: string;
  readonly inputSchema?: object;
}

export interface ResponseOptions {
  readonly modelOptions?: { readonly [name: string]: unknown };
  readonly tools?: readonly ChatTool[];
  /** 1 auto, 2 required (`LanguageModelChatToolMode`). */
  readonly toolMode: number;
}

export interface ChatModelProvider {
  readonly onDidChangeLanguageModelChatInformation?: vscode.Event<void>;
  provideLanguageModelChatInformation(
    options: { readonly silent: boolean },
    token: vscode.CancellationToken,
  ): vscode.ProviderResult<ChatModelInformation[]>;
  provideLanguageModelChatResponse(
    model: ChatModelInformation,
    messages: readonly RequestMessage[],
    options: ResponseOptions,
    progress: vscode.Progress<unknown>,
    token: vscode.CancellationToken,
  ): Thenable<void>;
  provideTokenCount(
    model: ChatModelInformation,
    text: string | RequestMessage,
    token: vscode.CancellationToken,
  ): Thenable<number>;
}

/** `vscode.lm` where the provider API exists. */
export interface LmWithProviders {
  registerLanguageModelChatProvider(vendor: string, provider: ChatModelProvider): vscode.Disposable;
}

/** The constructors of response parts, on the `vscode` namespace of 1.104+. */
export interface PartConstructors {
  LanguageModelTextPart: new (value: string) => unknown;
  LanguageModelToolCallPart: new (callId: string, name: string, input: object) => unknown;
}
