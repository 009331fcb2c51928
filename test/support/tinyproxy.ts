/**
 * A real forward proxy for tests: Debian's tinyproxy, started on loopback with its own config and
 * log in a temporary directory. Its log shows every request it relayed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from './ports';

export interface Tinyproxy {
  /** `http://127.0.0.1:port`, without credentials. */
  url: string;
  port: number;
  /** The proxy's log so far. */
  log(): string;
  /** Lines of the log that record a request to relay (CONNECT or a plain http request). */
  relayed(): string[];
  stop(): Promise<void>;
}

export interface TinyproxyOptions {
  /** Demand these credentials (Basic), answering 407 without them. */
  basicAuth?: { user: string; password: string };
}

async function waitForPort(port: number, child: ChildProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const log = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '';
  throw new Error(
    `tinyproxy did not start on port ${port} (exit ${child.exitCode}). Is the Debian package installed?\n${log}`,
  );
}

/** Starts tinyproxy. Needs `/usr/bin/tinyproxy` (Debian package `tinyproxy`). */
export async function startTinyproxy(options: TinyproxyOptions = {}): Promise<Tinyproxy> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genos-tinyproxy-'));
  const port = await freePort();
  const logFile = path.join(dir, 'tinyproxy.log');
  const lines = [
    `Port ${port}`,
    'Listen 127.0.0.1',
    'Timeout 60',
    `LogFile "${logFile}"`,
    'LogLevel Info',
    'MaxClients 50',
    'Allow 127.0.0.1',
    // No ConnectPort line: CONNECT is allowed to any port, as the test servers use random ones.
    'DisableViaHeader Yes',
  ];
  if (options.basicAuth) lines.push(`BasicAuth ${options.basicAuth.user} ${options.basicAuth.password}`);
  const config = path.join(dir, 'tinyproxy.conf');
  fs.writeFileSync(config, `${lines.join('\n')}\n`);
  fs.writeFileSync(logFile, '');
  if (process.getuid?.() === 0) fs.chmodSync(dir, 0o777);
  if (process.getuid?.() === 0) fs.chmodSync(logFile, 0o666);
  const child = spawn('tinyproxy', ['-d', '-c', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr?.resume();
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', () => resolve());
    child.once('error', (error) =>
      reject(new Error(`tinyproxy could not be started: ${error.message}. Install the Debian package tinyproxy.`)),
    );
  });
  await waitForPort(port, child, logFile);
  const log = () => fs.readFileSync(logFile, 'utf8');
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    log,
    relayed: () =>
      log()
        .split('\n')
        .filter((line) => /Request \(file descriptor \d+\): /.test(line)),
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
