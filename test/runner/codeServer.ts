/**
 * Starts a real VS Code (code-server from the npm registry; see shared/notes/REAL_VSCODE.md) on
 * loopback for the integration and UI tests, and stops it. Two versions are tested: VS Code 1.100.3
 * and 1.139.1; `GENOS_VSCODE` (`1.100` or `1.139`) picks one for a process, 1.100 by default.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import { freePort } from '../support/ports';

export const repoRoot = path.resolve(__dirname, '../../..');

/** The VS Code versions the tests run on, each with the code-server release that carries it. */
export const VSCODE_TARGETS = { '1.100': '4.100.3', '1.139': '4.139.1' } as const;
export type VscodeTarget = keyof typeof VSCODE_TARGETS;

/** The target of this process: `GENOS_VSCODE`, or 1.100. */
export function vscodeTarget(): VscodeTarget {
  const wanted = process.env.GENOS_VSCODE ?? '1.100';
  if (!(wanted in VSCODE_TARGETS)) {
    throw new Error(`GENOS_VSCODE=${wanted}: use one of ${Object.keys(VSCODE_TARGETS).join(', ')}`);
  }
  return wanted as VscodeTarget;
}

/** Installs this target's code-server into the cache (once per version) and returns its folder. */
export function ensureCodeServer(target = vscodeTarget()): string {
  const out = execFileSync('bash', [path.join(repoRoot, 'scripts/installCodeServer.sh')], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, CODE_SERVER_VERSION: VSCODE_TARGETS[target] },
  });
  return out.toString().trim().split('\n').pop() ?? '';
}

/** The Node that runs this code-server: its own (1.139 needs Node 24) or this process's. */
function nodeFor(home: string): string {
  const own = path.join(home, 'node/bin/node');
  return fs.existsSync(own) ? own : process.execPath;
}

// code-server's --bind-addr does not take port 0.
export { freePort } from '../support/ports';

export interface CodeServer {
  /** The VS Code version it carries. */
  target: VscodeTarget;
  port: number;
  url: string;
  /** Folders of this instance: user data, extensions, and the opened workspace. */
  userDataDir: string;
  extensionsDir: string;
  workspace: string;
  logFile: string;
  /** A URL that opens the workspace, with development options as in the desktop's command line. */
  workbenchUrl(payload?: Array<[string, string]>): string;
  /** A vscode-remote:// URI for a path on this machine, as the workbench wants in its payload. */
  remoteUri(absolutePath: string): string;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** User settings written before start. */
  userSettings?: Record<string, unknown>;
  /**
   * Remote settings (`Machine/settings.json`) written before start: where a code-server window
   * reads machine-scoped settings once any setting is written (a user's machine-scoped values are
   * then dropped, as in any remote window).
   */
  machineSettings?: Record<string, unknown>;
  /** Files to create in the workspace, by relative path. */
  workspaceFiles?: Record<string, string>;
  /** .vsix files to install first, as a user would. */
  install?: string[];
  /** Further environment of code-server, which its extension host inherits. */
  env?: Record<string, string>;
  /** Open the workspace in Restricted Mode (workspace trust on, never trusted) instead of trusted. */
  restricted?: boolean;
  /**
   * Run extension tests given in the workbench URL's payload (the integration suite). VS Code 1.139
   * needs its smoke-test driver for that, which also keeps notifications out of toasts, so the
   * workbench UI tests leave it off.
   */
  extensionTests?: boolean;
}

function waitForListening(url: string, child: ChildProcess, logFile: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const poll = () => {
      if (child.exitCode !== null) {
        reject(new Error(`code-server exited with ${child.exitCode}; see ${logFile}`));
        return;
      }
      fetch(url, { redirect: 'manual' })
        .then(() => resolve())
        .catch(() => {
          if (Date.now() > deadline) {
            reject(new Error(`code-server did not listen within ${timeoutMs} ms; see ${logFile}`));
          } else setTimeout(poll, 200);
        });
    };
    poll();
  });
}

/** Starts code-server on a free loopback port with a fresh user-data and extensions folder. */
export async function startCodeServer(options: StartOptions = {}): Promise<CodeServer> {
  const target = vscodeTarget();
  const home = ensureCodeServer(target);
  const node = nodeFor(home);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'genos-vscode-'));
  const userDataDir = path.join(root, 'user-data');
  const extensionsDir = path.join(root, 'extensions');
  const workspace = path.join(root, 'workspace');
  const logFile = path.join(root, 'code-server.log');
  for (const dir of [path.join(userDataDir, 'User'), extensionsDir, workspace]) fs.mkdirSync(dir, { recursive: true });
  const trust = options.restricted
    ? {
        'security.workspace.trust.enabled': true,
        'security.workspace.trust.startupPrompt': 'never',
        'security.workspace.trust.banner': 'never',
      }
    : { 'security.workspace.trust.enabled': false };
  const settings = {
    'workbench.startupEditor': 'none',
    ...trust,
    'telemetry.telemetryLevel': 'off',
    'workbench.tips.enabled': false,
    ...options.userSettings,
  };
  fs.writeFileSync(path.join(userDataDir, 'User/settings.json'), JSON.stringify(settings, null, 2));
  if (options.machineSettings) {
    fs.mkdirSync(path.join(userDataDir, 'Machine'), { recursive: true });
    fs.writeFileSync(path.join(userDataDir, 'Machine/settings.json'), JSON.stringify(options.machineSettings, null, 2));
  }
  for (const [file, text] of Object.entries(options.workspaceFiles ?? {})) {
    fs.mkdirSync(path.dirname(path.join(workspace, file)), { recursive: true });
    fs.writeFileSync(path.join(workspace, file), text);
  }
  const common = [
    '--user-data-dir',
    userDataDir,
    '--extensions-dir',
    extensionsDir,
    '--config',
    path.join(root, 'config.yaml'),
  ];
  for (const vsix of options.install ?? []) {
    execFileSync(node, [path.join(home, 'out/node/entry.js'), ...common, '--install-extension', vsix], {
      stdio: 'pipe',
    });
  }
  const port = await freePort();
  const log = fs.openSync(logFile, 'a');
  // 1.139 runs the extension tests of a `payload` URL only with the smoke-test driver option on.
  const testDriver =
    target === '1.139' && options.extensionTests ? ['--vscode-option', 'enable-smoke-test-driver'] : [];
  const child = spawn(
    node,
    [
      path.join(home, 'out/node/entry.js'),
      ...common,
      '--auth',
      'none',
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      ...(options.restricted ? [] : ['--disable-workspace-trust']),
      '--disable-getting-started-override',
      ...testDriver,
      workspace,
    ],
    { cwd: home, stdio: ['ignore', log, log], detached: true, env: { ...process.env, ...options.env } },
  );
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.pid) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
      if (child.exitCode === null) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
    }
    fs.closeSync(log);
    if (!process.env.GENOS_KEEP_TEST_DIRS) fs.rmSync(root, { recursive: true, force: true });
  };
  try {
    await waitForListening(url, child, logFile, 60_000);
  } catch (error) {
    await stop();
    throw error;
  }
  const remoteUri = (p: string) => `vscode-remote://127.0.0.1:${port}${p}`;
  return {
    target,
    port,
    url,
    userDataDir,
    extensionsDir,
    workspace,
    logFile,
    remoteUri,
    workbenchUrl: (payload) => {
      const query = new URLSearchParams({ folder: workspace });
      if (payload) query.set('payload', JSON.stringify(payload));
      return `${url}/?${query.toString()}`;
    },
    stop,
  };
}

/** Debian's Chromium, headless, with the flags this machine's closed network needs. */
export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}
