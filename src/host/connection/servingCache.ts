import type { ChatMessage, ToolSpec } from '../../client/openai';
import { configError } from '../../client/errors';
import type { GenosClient } from '../../client/genosClient';
import type { ProvisionedServing } from './provisioned';
import { requestSettings } from './settings';

/** For a serving that does not say its window, when `genos.contextWindow` is not set either. */
export const DEFAULT_CONTEXT_WINDOW = 8192;

/** What the cache needs of a connection: its client and the endpoint it talks to. */
export interface ServingRef {
  client: GenosClient;
  endpoint: URL;
}

/** The key of what is learned per model of a serving (its window, the token calibration). */
export function modelKey(endpoint: URL, model: string): string {
  return `${endpoint.href} ${model}`;
}

/**
 * What is learned from servings and kept until the settings change: the default model of each
 * endpoint, each model's context window, and which endpoints listed their models already.
 */
export class ServingCache {
  private readonly defaultModels = new Map<string, string>();
  /** Context windows by endpoint and model: what the server listed, or what a refusal said. */
  private readonly windows = new Map<string, number>();
  /** Endpoints whose models were listed, so a serving that reports no window is asked once. */
  private readonly listed = new Set<string>();
  /** Endpoints that do not answer `/tokenize` (their gateway does not forward it): asked once. */
  private readonly noTokenize = new Set<string>();

  constructor(private readonly provisioned: ProvisionedServing | undefined) {}

  /** Forgets what was learned, after settings change. */
  clear(): void {
    this.defaultModels.clear();
    this.windows.clear();
    this.listed.clear();
    this.noTokenize.clear();
  }

  /**
   * The exact prompt tokens of `messages` where the serving counts them (`/tokenize`); undefined
   * where it does not (remembered) or the count failed (the estimate stands, silently).
   */
  async countTokens(
    serving: ServingRef,
    model: string,
    messages: ChatMessage[],
    signal?: AbortSignal,
    tools?: ToolSpec[],
  ): Promise<number | undefined> {
    const href = serving.endpoint.href;
    if (this.noTokenize.has(href)) return undefined;
    try {
      const count = await serving.client.tokenize(model, messages, signal, tools);
      if (count === undefined) this.noTokenize.add(href);
      return count;
    } catch {
      // A count that failed (slow, refused, not JSON) is not asked for again; a stop is not a failure.
      if (!signal?.aborted) this.noTokenize.add(href);
      return undefined;
    }
  }

  /** The model to ask: the one chosen, or the provisioned one, or the first the serving lists. */
  async model(serving: ServingRef, signal?: AbortSignal, chosen = requestSettings().model): Promise<string> {
    if (chosen) return chosen;
    if (this.provisioned?.model && this.provisioned.endpoint.href === serving.endpoint.href) {
      return this.provisioned.model;
    }
    const known = this.defaultModels.get(serving.endpoint.href);
    if (known) return known;
    const models = await this.listModels(serving, signal);
    if (models.length === 0) throw configError('noModels', 'The serving lists no models.');
    this.defaultModels.set(serving.endpoint.href, models[0]);
    return models[0];
  }

  /** The serving's models; remembers the context window of each that states one. */
  async listModels(serving: ServingRef, signal?: AbortSignal): Promise<string[]> {
    const { info } = await serving.client.probe(signal);
    this.listed.add(serving.endpoint.href);
    for (const model of info) {
      if (model.maxModelLen) this.windows.set(modelKey(serving.endpoint, model.id), model.maxModelLen);
    }
    return info.map((model) => model.id);
  }

  /**
   * The model's context window in tokens: what the server reports (its `max_model_len`, or the
   * limit a refusal named), else `genos.contextWindow`, else a conservative default.
   */
  async contextWindow(serving: ServingRef, model: string, signal?: AbortSignal): Promise<number> {
    const key = modelKey(serving.endpoint, model);
    if (!this.windows.has(key) && !this.listed.has(serving.endpoint.href)) {
      await this.listModels(serving, signal).catch((error: unknown) => {
        if (signal?.aborted) throw error;
      });
    }
    return this.windows.get(key) ?? requestSettings().contextWindow ?? DEFAULT_CONTEXT_WINDOW;
  }

  /** Records the window a server named when it refused a request as too long. */
  learnWindow(serving: ServingRef, model: string, window: number): void {
    this.windows.set(modelKey(serving.endpoint, model), window);
  }
}
