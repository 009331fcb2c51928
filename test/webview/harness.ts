/**
 * Loads the built webview bundle (dist/webview.js) and its stylesheet in headless Chromium, with a
 * stand-in for `acquireVsCodeApi` that records what the webview posts and keeps its state.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { panelCsp } from '../../src/shared/panelCsp';
import type { HostMessage, WebviewMessage, WebviewStrings } from '../../src/shared/protocol';
import { repoRoot } from '../runner/codeServer';

export const strings: WebviewStrings = {
  placeholder: 'Ask GenOS…',
  send: 'Send',
  stop: 'Stop',
  history: 'History',
  attachSelection: '+ Selection',
  attachFile: '+ File',
  removeContext: 'Remove',
  thinking: 'Thinking',
  noSeparateAnswer: 'The model gave no separate answer; its thinking is shown above.',
  stopped: 'Stopped. The text received so far is kept.',
  copy: 'Copy',
  copied: 'Copied',
  insert: 'Insert',
  replaceSelection: 'Replace Selection',
  tokens: '{0} prompt + {1} answer tokens',
  modelLabel: 'Model',
  chooseModel: 'Choose the model',
  noModel: 'the serving default',
  emptyTitle: 'Ask your GenOS model',
  emptyHint: 'Questions and code go only to the GenOS serving in your settings.',
  historyEmpty: 'No saved conversations yet.',
  delete: 'Delete',
  close: 'Close',
  you: 'You',
  assistant: 'GenOS',
  actions: {
    setToken: 'Set Access Token',
    openSettings: 'Open Settings',
    selectModel: 'Select Model',
    retry: 'Retry',
    retryLessContext: 'Retry with Less Context',
    showLog: 'Show Log',
    continue: 'Continue',
  },
  gauge: 'Context: {0} of {1} tokens',
  gaugeUnknown: 'Context: {0} tokens',
  gaugeOmittedOne: '1 earlier turn left out',
  gaugeOmitted: '{0} earlier turns left out',
  cutOff: 'The answer stopped at the length limit.',
  mentions: {
    files: '@file: files from the workspace…',
    selection: '@selection: the selected code',
    file: '@current: the current file',
    problems: '@problems: problems in the current file',
    workspaceProblems: '@workspace-problems: problems in the workspace',
    editors: '@editors: what the visible editors show',
    terminal: '@terminal: the last terminal command and its output',
  },
  modes: { ask: 'Ask', agent: 'Agent' },
  modeTitle: 'Ask answers; Agent reads, edits and runs commands in the workspace, asking you first.',
  readOnly: 'This workspace is in Restricted Mode: the agent can only read.',
  stepTitles: {
    read_file: 'Read {0}',
    list_files: 'List files {0}',
    search: 'Search {0}',
    problems: 'Problems {0}',
    edit_file: 'Edit {0}',
    create_file: 'Create {0}',
    run_command: 'Run {0}',
  },
  stepOtherTool: 'Tool {0}',
  stepStatus: {
    running: 'running',
    asking: 'waiting for you',
    done: 'done',
    failed: 'failed',
    rejected: 'not allowed',
    stopped: 'stopped',
  },
  stepAsks: {
    read: 'The agent asks to read this file.',
    edit: 'The agent proposes this edit.',
    create: 'The agent proposes to create this file.',
    command: 'The agent asks to run this command in a terminal.',
    tool: "The agent asks to call another extension's tool with these arguments.",
  },
  stepSensitive: 'It may hold secrets, or git ignores it.',
  decisions: {
    approve: { read: 'Allow', edit: 'Apply', create: 'Create', command: 'Run', tool: 'Allow' },
    reject: { read: 'Deny', edit: 'Reject', create: 'Reject', command: 'Skip', tool: 'Skip' },
    always: 'Always allow in this workspace',
  },
  openDiff: 'Open diff',
  stepOutput: 'Result',
  changedFiles: 'Changed files',
  created: 'new',
  keep: 'Keep',
  undoAll: 'Undo all',
  changesState: {
    pending: '',
    kept: 'Kept.',
    undone: 'Undone: the files are as they were before this turn.',
    unavailable: 'Undo is no longer available for this turn (it was made in another session).',
  },
  stepLimit: 'The agent stopped after the step limit (genos.agent.maxSteps).',
  rulesLabel: 'Rules:',
  rulesOn: 'Rules on',
  thinkOn: 'Think on',
  thinkOff: 'Think off',
  thinkTitle: 'Let the model think before it answers (slower), or ask it to answer at once, in this conversation',
  rulesOff: 'Rules off',
  rulesTitle: "The team's rules files (AGENTS.md, .github/instructions, .genos/rules) for this conversation",
};

export const init = (extra: Partial<Extract<HostMessage, { type: 'init' }>> = {}): HostMessage => ({
  type: 'init',
  strings,
  turns: [],
  model: 'Qwen3-8B',
  context: [],
  hasSelection: false,
  mode: 'ask',
  readOnly: false,
  ...extra,
});

/** Writes the page that hosts the bundle, as the extension's HTML does (minus the CSP nonce). */
/**
 * The page the panel runs in. By default without a CSP, on purpose: the sanitizer alone must keep
 * model output from running. With `csp`, under the production policy (`file:` standing for the
 * webview's own source), as VS Code shows it.
 */
function harnessFile(csp = false): string {
  const dir = path.join(repoRoot, 'test-results/webview');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, csp ? 'harness-csp.html' : 'harness.html');
  const css = path.join(repoRoot, 'media/chat.css');
  const js = path.join(repoRoot, 'dist/webview.js');
  const nonce = 'harness-nonce';
  const policy = csp ? `<meta http-equiv="Content-Security-Policy" content="${panelCsp('file:', nonce)}">` : '';
  fs.writeFileSync(
    file,
    `<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8">${policy}<link rel="stylesheet" href="file://${css}"></head><body><script nonce="${nonce}" src="file://${js}"></script></body></html>`,
  );
  return file;
}

export interface WebviewPage {
  page: Page;
  /** Delivers a message from the host, as VS Code does (a window message event), and waits until it was handled. */
  host(message: HostMessage): Promise<void>;
  posted(): Promise<WebviewMessage[]>;
  savedState(): Promise<unknown>;
}

export async function openWebview(
  browser: Browser,
  initialState?: unknown,
  options: { csp?: boolean } = {},
): Promise<WebviewPage> {
  const page = await browser.newPage({ viewport: { width: 420, height: 800 } });
  await page.addInitScript(() => {
    const w = window as unknown as { __violations: string[] };
    w.__violations = [];
    document.addEventListener('securitypolicyviolation', (event) =>
      w.__violations.push(`${event.effectiveDirective} ${event.blockedURI}`),
    );
  });
  await page.addInitScript(
    (state) => {
      let current: unknown = state ?? undefined;
      const w = window as unknown as Record<string, unknown>;
      w.__posted = [];
      w.acquireVsCodeApi = () => ({
        postMessage: (message: unknown) => (w.__posted as unknown[]).push(message),
        getState: () => current,
        setState: (next: unknown) => {
          current = next;
          w.__savedState = next;
        },
      });
    },
    (initialState ?? null) as object | null,
  );
  // GENOS_WEBVIEW_CSP=1 runs every test under the production policy (npm run test:webview's second pass).
  await page.goto(`file://${harnessFile(options.csp ?? process.env.GENOS_WEBVIEW_CSP === '1')}`);
  return {
    page,
    // Resolves once the page has handled the message: a second message posted after it is
    // delivered after it (same task source), and the evaluation waits for that one.
    host: (message) =>
      page.evaluate(
        (m) =>
          new Promise<void>((resolve) => {
            const marker = `__handled_${Math.random()}`;
            const onMessage = (event: MessageEvent) => {
              if (event.data !== marker) return;
              window.removeEventListener('message', onMessage);
              resolve();
            };
            window.addEventListener('message', onMessage);
            window.postMessage(m, '*');
            window.postMessage(marker, '*');
          }),
        message,
      ),
    posted: () => page.evaluate(() => (window as unknown as { __posted: WebviewMessage[] }).__posted),
    savedState: () => page.evaluate(() => (window as unknown as { __savedState: unknown }).__savedState),
  };
}
