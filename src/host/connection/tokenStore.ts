import * as vscode from 'vscode';

/**
 * Access tokens in VS Code's SecretStorage, one per serving endpoint, so several servings can each
 * have their own. Never written to settings, logs or files.
 */
export class TokenStore {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  private key(endpoint: URL): string {
    return `genos.token:${endpoint.origin}${endpoint.pathname}`;
  }

  get(endpoint: URL): Thenable<string | undefined> {
    return this.secrets.get(this.key(endpoint));
  }

  set(endpoint: URL, token: string): Thenable<void> {
    return this.secrets.store(this.key(endpoint), token);
  }

  delete(endpoint: URL): Thenable<void> {
    return this.secrets.delete(this.key(endpoint));
  }

  /** Fires when any stored token changes, in this window or another. */
  onDidChange(listener: () => void): vscode.Disposable {
    return this.secrets.onDidChange((event) => {
      if (event.key.startsWith('genos.token:')) listener();
    });
  }
}
