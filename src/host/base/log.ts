import * as vscode from 'vscode';
import type { ClientLog } from '../../client/genosClient';

/**
 * The "GenOS" output channel, created on first use so activation stays cheap. Records request
 * lines (method, path, status, timing); the client never hands it a token or message contents.
 */
export class Log implements ClientLog, vscode.Disposable {
  private channel?: vscode.LogOutputChannel;

  private get out(): vscode.LogOutputChannel {
    this.channel ??= vscode.window.createOutputChannel('GenOS', { log: true });
    return this.channel;
  }

  info(line: string): void {
    this.out.info(line);
  }

  warn(line: string): void {
    this.out.warn(line);
  }

  error(line: string): void {
    this.out.error(line);
  }

  show(): void {
    this.out.show(true);
  }

  dispose(): void {
    this.channel?.dispose();
  }
}
