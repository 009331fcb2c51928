/**
 * The agent's `run_command`, once the user approved it: the command runs in a VS Code terminal the
 * user sees (and can type into), started by this extension host where the workspace's files are,
 * so its exit code and output are known exactly on every VS Code release, with or without shell
 * integration. A timeout or Stop ends it and the processes it started. For a workspace on another
 * machine than this extension host, a real terminal there runs it through shell integration.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as vscode from 'vscode';
import type { ToolOutput } from './readTools';

/** Output kept for the model: the end, where results and errors are. */
const KEPT_CHARS = 16_000;
/** A process that ignores the polite signal this long is killed. */
const KILL_GRACE_MS = 2_000;

export interface CommandRun {
  command: string;
  cwd: vscode.Uri;
  timeoutMs: number;
  signal: AbortSignal;
}

/** The end of `text`, at most `KEPT_CHARS`, starting at a line. */
function tail(text: string): string {
  if (text.length <= KEPT_CHARS) return text;
  const cut = text.slice(-KEPT_CHARS);
  const line = cut.indexOf('\n');
  return `[… the first ${text.length - cut.length + line + 1} characters of the output are left out …]\n${cut.slice(line + 1)}`;
}

/** Ends `child` and the processes it started. */
function killTree(child: ChildProcess): void {
  if (child.exitCode !== null || child.pid === undefined) return;
  if (process.platform === 'win32') {
    spawn('taskkill', ['/pid', String(child.pid), '/T', '/F'], { stdio: 'ignore' }).on('error', () => undefined);
    return;
  }
  const group = -child.pid;
  try {
    process.kill(group, 'SIGTERM');
  } catch {
    return;
  }
  setTimeout(() => {
    try {
      process.kill(group, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }, KILL_GRACE_MS).unref();
}

/** Runs `run.command` in a terminal of its own; resolves with its exit code and the end of its output. */
export function runCommand(run: CommandRun): Promise<ToolOutput> {
  if (run.cwd.scheme !== 'file') return runInShell(run);
  return new Promise((resolve) => {
    const write = new vscode.EventEmitter<string>();
    const close = new vscode.EventEmitter<number | void>();
    let output = '';
    let child: ChildProcess | undefined;
    let ended: 'timeout' | 'stopped' | undefined;
    const show = (text: string) => write.fire(text.replace(/\r?\n/g, '\r\n'));
    const finish = (result: ToolOutput) => {
      clearTimeout(timer);
      run.signal.removeEventListener('abort', onAbort);
      resolve(result);
    };
    const onAbort = () => {
      ended ??= 'stopped';
      if (child) killTree(child);
      else finish({ ok: false, output: 'It was stopped by the user before it started.' });
    };
    const timer = setTimeout(() => {
      ended ??= 'timeout';
      if (child) killTree(child);
    }, run.timeoutMs);
    const pty: vscode.Pseudoterminal = {
      onDidWrite: write.event,
      onDidClose: close.event,
      open: () => {
        if (run.signal.aborted) return onAbort();
        show(`\x1b[1m$ ${run.command}\x1b[0m\n`);
        child = spawn(run.command, {
          cwd: run.cwd.fsPath,
          shell: vscode.env.shell || true,
          // Its own process group, so that a timeout or Stop ends what it started too.
          detached: process.platform !== 'win32',
          env: { ...process.env, PAGER: 'cat', GIT_PAGER: 'cat', GENOS_AGENT: '1' },
          stdio: ['pipe', 'pipe', 'pipe'],
        });
        const take = (data: Buffer) => {
          const text = data.toString('utf8');
          output += text;
          if (output.length > 4 * KEPT_CHARS) output = output.slice(-2 * KEPT_CHARS);
          show(text);
        };
        child.stdout?.on('data', take);
        child.stderr?.on('data', take);
        child.on('error', (error) => {
          show(`\n${error.message}\n`);
          finish({ ok: false, output: `The command could not start: ${error.message}` });
        });
        // A process it started in a session of its own can hold the output open after the command
        // ended: once the command has exited, the output is closed after a moment.
        child.on('exit', () => {
          setTimeout(() => {
            child?.stdout?.destroy();
            child?.stderr?.destroy();
          }, KILL_GRACE_MS).unref();
        });
        child.on('close', (code, signal) => {
          const status =
            ended === 'timeout'
              ? `It was stopped after ${Math.round(run.timeoutMs / 1000)} seconds (the time limit).`
              : ended === 'stopped'
                ? 'It was stopped by the user.'
                : code !== null
                  ? `Exit code ${code}.`
                  : `It ended on signal ${signal}.`;
          show(`\n\x1b[2m${status}\x1b[0m\n`);
          finish({ ok: code === 0 && !ended, output: `${status}\n${tail(output) || '(no output)'}` });
        });
        if (run.signal.aborted) onAbort();
      },
      close: () => {
        // The user closed the terminal: the command ends with it.
        ended ??= 'stopped';
        if (child) killTree(child);
      },
      handleInput: (data) => child?.stdin?.write(data.replace(/\r/g, '\n')),
    };
    run.signal.addEventListener('abort', onAbort, { once: true });
    const terminal = vscode.window.createTerminal({ name: `GenOS: ${run.command.slice(0, 40)}`, pty });
    terminal.show(true);
  });
}

/**
 * A workspace on another machine: a terminal there runs the command through shell integration
 * (VS Code 1.93+), which reports the exit code and output. Without it, the command is not run.
 */
async function runInShell(run: CommandRun): Promise<ToolOutput> {
  const window = vscode.window as typeof vscode.window & {
    onDidChangeTerminalShellIntegration?: vscode.Event<{ terminal: vscode.Terminal }>;
  };
  if (!window.onDidChangeTerminalShellIntegration) {
    return { ok: false, output: 'Commands cannot be run here: this VS Code has no shell integration API.' };
  }
  const terminal = vscode.window.createTerminal({ name: `GenOS: ${run.command.slice(0, 40)}`, cwd: run.cwd });
  terminal.show(true);
  type Integration = {
    executeCommand(command: string): { read(): AsyncIterable<string> };
  };
  const integration = await new Promise<Integration | undefined>((resolve) => {
    const known = (terminal as { shellIntegration?: Integration }).shellIntegration;
    if (known) return resolve(known);
    const timer = setTimeout(() => resolve(undefined), 10_000);
    const listener = window.onDidChangeTerminalShellIntegration?.((event) => {
      if (event.terminal !== terminal) return;
      clearTimeout(timer);
      listener?.dispose();
      resolve((terminal as { shellIntegration?: Integration }).shellIntegration);
    });
  });
  if (!integration) {
    return {
      ok: false,
      output: 'The command was not run: the terminal has no shell integration to report its result.',
    };
  }
  const execution = integration.executeCommand(run.command);
  let output = '';
  const ended = new Promise<number | undefined>((resolve) => {
    const endEvent = (
      vscode.window as unknown as {
        onDidEndTerminalShellExecution: vscode.Event<{ execution: unknown; exitCode: number | undefined }>;
      }
    ).onDidEndTerminalShellExecution;
    const listener = endEvent((event) => {
      if (event.execution !== execution) return;
      listener.dispose();
      resolve(event.exitCode);
    });
  });
  // Ctrl+C first; a command that ignores it goes with its terminal.
  const stop = () => {
    terminal.sendText('\x03', false);
    setTimeout(() => terminal.dispose(), KILL_GRACE_MS).unref();
  };
  run.signal.addEventListener('abort', stop, { once: true });
  const timer = setTimeout(stop, run.timeoutMs);
  try {
    for await (const data of execution.read()) output += data;
    const code = await ended;
    const status = run.signal.aborted ? 'It was stopped by the user.' : `Exit code ${code ?? 'unknown'}.`;
    return { ok: code === 0, output: `${status}\n${tail(output) || '(no output)'}` };
  } finally {
    clearTimeout(timer);
    run.signal.removeEventListener('abort', stop);
  }
}
