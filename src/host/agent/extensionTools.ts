/**
 * The tools other extensions and the user's MCP servers register with VS Code (`vscode.lm.tools`,
 * VS Code 1.95 and later), offered to the agent beside its own and invoked through
 * `vscode.lm.invokeTool`. Feature-detected: on older releases there are none.
 */
import * as vscode from 'vscode';
import { isAgentTool } from '../../client/agentTools';
import type { ToolSpec } from '../../client/openai';
import type { ToolOutput } from './readTools';

/** Other tools offered at most: each costs context in every request. */
const MAX_TOOLS = 32;
/** What vLLM accepts as a function name. */
const NAME = /^[a-zA-Z0-9_-]{1,64}$/;

interface LmToolInfo {
  name: string;
  description: string;
  inputSchema?: object;
}

interface LmToolApi {
  tools?: readonly LmToolInfo[];
  invokeTool?(
    name: string,
    options: { input: object; toolInvocationToken: undefined },
    token?: vscode.CancellationToken,
  ): Thenable<{ content: unknown[] }>;
}

const lm = () => (vscode as unknown as { lm?: LmToolApi }).lm;

/** The other extensions' tools, as the model sees them; none where VS Code has no tools API. */
export function extensionToolSpecs(): ToolSpec[] {
  const tools = lm()?.tools ?? [];
  return tools
    .filter((tool) => NAME.test(tool.name) && !isAgentTool(tool.name))
    .slice(0, MAX_TOOLS)
    .map((tool) => ({
      name: tool.name,
      description: tool.description,
      parameters: tool.inputSchema ?? { type: 'object', properties: {} },
    }));
}

/** Calls another extension's tool; its text parts are the result. */
export async function invokeExtensionTool(name: string, input: object, signal: AbortSignal): Promise<ToolOutput> {
  const api = lm();
  if (!api?.invokeTool || !api.tools?.some((tool) => tool.name === name)) {
    return { ok: false, output: `The tool ${name} is not available.` };
  }
  const source = new vscode.CancellationTokenSource();
  const cancel = () => source.cancel();
  signal.addEventListener('abort', cancel, { once: true });
  try {
    const result = await api.invokeTool(name, { input, toolInvocationToken: undefined }, source.token);
    // Text parts (LanguageModelTextPart, 1.95+: the types here are 1.90's) carry a string value.
    const text = result.content
      .map((part) =>
        part && typeof (part as { value?: unknown }).value === 'string' ? (part as { value: string }).value : '',
      )
      .filter(Boolean)
      .join('\n');
    return { ok: true, output: text || '(no text result)' };
  } catch (error) {
    return { ok: false, output: `${name} failed: ${error instanceof Error ? error.message : String(error)}` };
  } finally {
    signal.removeEventListener('abort', cancel);
    source.dispose();
  }
}
