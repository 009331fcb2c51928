import * as vscode from 'vscode';

/**
 * Runs work with a cancellable progress notification; Cancel fires the token it is given, which
 * stops the request and closes its connection.
 */
export function withProgress<T>(
  title: string,
  work: (cancellation: vscode.CancellationToken, progress: vscode.Progress<{ message?: string }>) => Promise<T>,
): Thenable<T> {
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title, cancellable: true },
    (progress, cancellation) => work(cancellation, progress),
  );
}

/**
 * The text a command was given by another command or a test, or else what the user types in an
 * input box. Undefined when the user cancelled the box.
 */
export function givenOrAsked(given: unknown, box: vscode.InputBoxOptions): Thenable<string | undefined> {
  return typeof given === 'string'
    ? Promise.resolve(given)
    : vscode.window.showInputBox({ ignoreFocusOut: true, ...box });
}
