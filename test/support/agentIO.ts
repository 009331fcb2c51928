/**
 * An agent loop's requests in Node, as the panel makes them but without VS Code: the real client
 * against the test server, the prompt fitted with the real budget. Tools are the test's own.
 */
import { AGENT_TOOLS } from '../../src/client/agentTools';
import { buildEndpoint } from '../../src/client/endpoint';
import { GenosClient } from '../../src/client/genosClient';
import type { ToolSpec } from '../../src/client/openai';
import { agentSystemPrompt } from '../../src/client/prompts';
import { textToolPrompt } from '../../src/client/textTools';
import type { AgentIO, ModelCall, ToolProtocol, ToolResult } from '../../src/host/agent/agentLoop';
import { fitToWindow } from '../../src/host/requests/contextBudget';
import type { AgentStep } from '../../src/host/requests/stepBudget';
import type { FakeGenos } from './genosServer';
import { estimateTokens } from '../../src/shared/tokens';

export interface RecordingIO extends AgentIO {
  shown: string;
  calls: ModelCall[];
  protocols: ToolProtocol[];
  /** The largest request's estimated tokens, and whether every one fitted. */
  largest: number;
  allFitted: boolean;
}

export function nodeAgentIO(
  server: FakeGenos,
  run: (call: ModelCall, signal: AbortSignal) => Promise<ToolResult> | ToolResult,
  options: { window?: number; reserve?: number; tools?: readonly ToolSpec[]; question?: string } = {},
): RecordingIO {
  const client = new GenosClient({
    endpoint: buildEndpoint(server.baseUrl, server.servingId),
    token: server.token,
    timeoutMs: 10_000,
    retry: { maxRetries: 0 },
  });
  const tools = options.tools ?? AGENT_TOOLS;
  const io: RecordingIO = {
    shown: '',
    calls: [],
    protocols: [],
    largest: 0,
    allFitted: true,
    request(steps: readonly AgentStep[], protocol: ToolProtocol, signal: AbortSignal) {
      const system = agentSystemPrompt({
        folders: ['app'],
        readOnly: false,
        system: '',
        toolProtocol: protocol === 'text' ? textToolPrompt(tools) : undefined,
      });
      const fitted = fitToWindow(
        { system, history: [], question: options.question ?? 'Fix the bug in src/app.ts.', context: [], steps },
        {
          window: options.window ?? 32_768,
          // As the request path does: the tools' schemas take room in the prompt too.
          reserve: (options.reserve ?? 1024) + (protocol === 'native' ? estimateTokens(JSON.stringify(tools)) : 0),
          factor: 1,
        },
      );
      io.largest = Math.max(io.largest, fitted.tokens);
      io.allFitted &&= fitted.fits;
      return client.chat(
        fitted.messages,
        { model: 'm', tools: protocol === 'native' ? [...tools] : undefined },
        signal,
      );
    },
    async runCall(call, signal) {
      io.calls.push(call);
      return run(call, signal);
    },
    text(text) {
      io.shown += text;
    },
    reasoning() {},
    protocolChanged(protocol) {
      io.protocols.push(protocol);
    },
  };
  return io;
}
