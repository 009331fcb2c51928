import type * as vscode from 'vscode';

/** What can stop a request: a progress notification's Cancel, the panel's Stop, or both. */
export interface Cancellation {
  token?: vscode.CancellationToken;
  signal?: AbortSignal;
}

/** One abort signal that any of `cancel`'s sources fires; `dispose` stops listening to them. */
export function linkAbort(cancel: Cancellation): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const abort = () => controller.abort();
  if (cancel.signal?.aborted || cancel.token?.isCancellationRequested) abort();
  cancel.signal?.addEventListener('abort', abort, { once: true });
  const subscription = cancel.token?.onCancellationRequested(abort);
  return {
    signal: controller.signal,
    dispose: () => {
      subscription?.dispose();
      cancel.signal?.removeEventListener('abort', abort);
    },
  };
}
