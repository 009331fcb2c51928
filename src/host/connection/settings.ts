import * as vscode from 'vscode';
import { PROMPT_FORMATS, type PromptFormatSetting } from '../../client/prompts';
import { config, SECTION, userValue } from './connectionSettings';
import { timeoutSeconds, withinRange } from './settingRanges';

export { connectionSettings, type ConnectionSettings } from './connectionSettings';

/** Certificates and proxy: GenOS's own settings (user scope only) and VS Code's `http.*`. */
export interface NetworkConfig {
  caFile: string;
  allowSelfSigned: boolean;
  genosProxy: string;
  httpProxy: string;
  noProxy: string[];
  proxyStrictSsl: boolean;
  proxyAuthorization: string;
  systemCertificates: boolean;
}

/** How to ask. These may differ per workspace. */
export interface RequestSettings {
  /** Empty: the first model the serving lists. */
  model: string;
  systemPrompt: string;
  /** 0 means no limit. */
  timeoutSeconds: number;
  temperature?: number;
  maxTokens?: number;
  /** The window for servings that do not report one (tokens). */
  contextWindow?: number;
}

function optionalNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function networkConfig(): NetworkConfig {
  const http = vscode.workspace.getConfiguration('http');
  const noProxy = http.get<unknown>('noProxy');
  return {
    caFile: String(userValue('tls.caFile', '')).trim(),
    allowSelfSigned: userValue<boolean>('tls.allowSelfSigned', false) === true,
    genosProxy: String(userValue('proxy', '')).trim(),
    httpProxy: String(http.get('proxy') ?? '').trim(),
    noProxy: Array.isArray(noProxy) ? noProxy.map(String) : [],
    proxyStrictSsl: http.get('proxyStrictSSL') !== false,
    proxyAuthorization: String(http.get('proxyAuthorization') ?? '').trim(),
    systemCertificates: http.get('systemCertificates') !== false,
  };
}

export function requestSettings(): RequestSettings {
  const c = config();
  // Out of package.json's ranges (a settings.json edited by hand): as if not set.
  return {
    model: String(c.get('model') ?? '').trim(),
    systemPrompt: String(c.get('systemPrompt') ?? ''),
    timeoutSeconds: timeoutSeconds(c.get('requestTimeoutSeconds'), 60),
    temperature: withinRange(c.get('temperature'), 0, 2),
    maxTokens: withinRange(c.get('maxTokens'), 1, Number.POSITIVE_INFINITY, true),
    contextWindow: withinRange(c.get('contextWindow'), 512, Number.POSITIVE_INFINITY, true),
  };
}

/** Completion as the user types. */
export interface CompletionSettings {
  enabled: boolean;
  /** The serving with the code model; empty: the chat serving. Read from user settings only. */
  servingId: string;
  /** Empty: the first model that serving lists. */
  model: string;
  promptFormat: PromptFormatSetting;
  maxTokens: number;
  debounceMs: number;
  /** Files that get no completion (globs): secrets and keys. */
  exclude: string[];
  /** How many lines before and after the cursor are sent. */
  prefixLines: number;
  suffixLines: number;
}

export function completionSettings(): CompletionSettings {
  const c = config();
  const whole = (key: string, fallback: number, min: number, max: number) => {
    const value = optionalNumber(c.get(key));
    return value === undefined ? fallback : Math.min(max, Math.max(min, Math.round(value)));
  };
  const format = c.get<string>('completion.promptFormat');
  return {
    // User settings only: a cloned repository must not start sending its files as you type.
    enabled: userValue<boolean>('completion.enabled', false) === true,
    exclude: completionExclude(),
    servingId: String(userValue<string | number>('completion.servingId', '')).trim(),
    model: String(c.get('completion.model') ?? '').trim(),
    promptFormat: PROMPT_FORMATS.includes(format as PromptFormatSetting) ? (format as PromptFormatSetting) : 'auto',
    maxTokens: whole('completion.maxTokens', 128, 1, 2048),
    debounceMs: whole('completion.debounceMs', 250, 0, 5000),
    prefixLines: whole('completion.prefixLines', 300, 1, 5000),
    suffixLines: whole('completion.suffixLines', 60, 0, 5000),
  };
}

/** `genos.completion.exclude` from user settings (a workspace cannot shorten it); only strings. */
function completionExclude(): string[] {
  const value = userValue<unknown>('completion.exclude', []);
  return Array.isArray(value)
    ? value.filter((glob): glob is string => typeof glob === 'string' && glob.trim() !== '')
    : [];
}

/** Turns completion on or off in the user's settings. */
export function setCompletionEnabled(enabled: boolean): Thenable<void> {
  return config().update('completion.enabled', enabled, vscode.ConfigurationTarget.Global);
}

/** Whether the editor shows inline suggestions at all (`editor.inlineSuggest.enabled`). */
export function inlineSuggestEnabled(): boolean {
  return vscode.workspace.getConfiguration('editor').get('inlineSuggest.enabled') !== false;
}

/** Where Explain Selection shows its answer. */
export function explainOutput(): 'panel' | 'inline' {
  return config().get('explainOutput') === 'inline' ? 'inline' : 'panel';
}

/** Calls `listener` when any GenOS setting, or a VS Code network setting GenOS uses, changes. */
export function onDidChangeSettings(listener: () => void): vscode.Disposable {
  const watched = [
    SECTION,
    'http.proxy',
    'http.noProxy',
    'http.proxyStrictSSL',
    'http.proxyAuthorization',
    'http.systemCertificates',
  ];
  return vscode.workspace.onDidChangeConfiguration((event) => {
    if (watched.some((section) => event.affectsConfiguration(section))) listener();
  });
}

/** Opens the Settings editor filtered to GenOS. */
export function openSettings(): Thenable<unknown> {
  return vscode.commands.executeCommand('workbench.action.openSettings', '@ext:genos.genos-vscode');
}

/** Saves the chosen model in the user's settings. */
export function saveModel(model: string): Thenable<void> {
  return config().update('model', model, vscode.ConfigurationTarget.Global);
}

/** Agent mode. Whatever lets the agent act without asking is read from the user's settings only. */
export interface AgentSettings {
  /** Requests that may end in tool calls before the turn stops and offers Continue. */
  maxSteps: number;
  /** Ask before the reading tools run too. */
  approveReads: boolean;
  /** Apply edits without asking (never from a repository's settings). */
  autoApproveEdits: boolean;
  /** A command is stopped after this long. */
  commandTimeoutMs: number;
  /** Offer the tools of other extensions and MCP servers (VS Code 1.95+). */
  extensionTools: boolean;
}

export function agentSettings(): AgentSettings {
  // A repository may ask for more approval, never for less: reads ask when any scope says so.
  const reads = config().inspect<boolean>('agent.approveReads');
  return {
    maxSteps: withinRange(userValue('agent.maxSteps', 25), 1, 500, true) ?? 25,
    approveReads: [reads?.globalValue, reads?.workspaceValue, reads?.workspaceFolderValue].includes(true),
    autoApproveEdits: userValue<boolean>('agent.autoApproveEdits', false) === true,
    commandTimeoutMs: (withinRange(userValue('agent.commandTimeoutSeconds', 300), 1, 86_400) ?? 300) * 1000,
    extensionTools: userValue<boolean>('agent.extensionTools', true) !== false,
  };
}

/** Whether the repository's rules files are applied (`genos.rules.enabled`, default on). */
export function rulesEnabled(): boolean {
  return config().get('rules.enabled') !== false;
}

/** The user's own folder of prompt files (`genos.promptFiles.userFolder`); user settings only. */
export function promptFilesFolder(): string {
  return String(userValue('promptFiles.userFolder', '')).trim();
}
