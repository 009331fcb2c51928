import * as vscode from 'vscode';
import { describeRetryWait } from '../../client/errorMessages';
import { withProgress } from '../base/interaction';
import { t } from '../base/l10n';
import type { Log } from '../base/log';
import { showError } from '../connection/errorUi';
import type { RequestOutcome, RequestPath, RequestSpec } from '../requests/requestPath';

/**
 * Requests made from the editor outside the chat (inline explanations, rewrites): each runs with a
 * cancellable progress notification, and `stop()` ends them all. Failures are shown as notifications.
 */
export class EditorRequests implements vscode.Disposable {
  private readonly controllers = new Set<AbortController>();

  constructor(
    private readonly requests: RequestPath,
    private readonly log: Log,
  ) {}

  stop(): void {
    for (const controller of this.controllers) controller.abort();
  }

  dispose(): void {
    this.stop();
  }

  /** Streams an answer; `onAnswer` gets the answer so far each time it grows. */
  async stream(
    title: string,
    prompt: RequestSpec['prompt'],
    onAnswer?: (answer: string) => void,
  ): Promise<RequestOutcome> {
    const controller = new AbortController();
    this.controllers.add(controller);
    try {
      let answer = '';
      const outcome = await withProgress(title, (token, progress) =>
        this.requests.run({ token, signal: controller.signal, prompt }, (event) => {
          if (event.type === 'retryWait') progress.report({ message: describeRetryWait(event.wait, t) });
          if (event.type !== 'content') return;
          answer += event.text;
          onAnswer?.(answer);
        }),
      );
      if (outcome.error) void showError(outcome.error, this.log);
      return outcome;
    } finally {
      this.controllers.delete(controller);
    }
  }
}
