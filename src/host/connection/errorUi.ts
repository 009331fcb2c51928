import * as vscode from 'vscode';
import { describeError, errorActions, type ErrorAction } from '../../client/errorMessages';
import { GenosError } from '../../client/errors';
import { t } from '../base/l10n';
import type { Log } from '../base/log';
import { openSettings } from './settings';

/** Labels of the next steps, in the user's language. */
export function actionLabel(action: ErrorAction): string {
  const labels: Record<ErrorAction, string> = {
    setToken: t('Set Access Token'),
    openSettings: t('Open Settings'),
    selectModel: t('Select Model'),
    retry: t('Retry'),
    retryLessContext: t('Retry with Less Context'),
    showLog: t('Show Log'),
  };
  return labels[action];
}

/** Any failure as a GenosError; an unexpected one is logged and described generically. */
export function asGenosError(error: unknown, log: Log): GenosError {
  if (error instanceof GenosError) return error;
  log.error(`unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return new GenosError({ kind: 'internal', message: 'Unexpected failure.', cause: error });
}

/** How a surface redoes its failed work, for the `retry` step (and after `setToken` when asked). */
export interface RetryHook {
  retry?: () => Thenable<unknown> | Promise<unknown>;
  /** Retry as soon as a new token is saved (the chat panel does; notifications leave it to the user). */
  afterToken?: boolean;
}

/** Carries out a next step the user chose, from a notification or the chat panel. */
export async function runErrorAction(
  action: ErrorAction | undefined,
  log: Log,
  { retry, afterToken }: RetryHook = {},
): Promise<void> {
  switch (action) {
    case 'setToken':
      if ((await vscode.commands.executeCommand('genos.setToken')) && afterToken) await retry?.();
      return;
    case 'openSettings':
      await openSettings();
      return;
    case 'selectModel':
      await vscode.commands.executeCommand('genos.selectModel');
      return;
    case 'retry':
    case 'retryLessContext':
      await retry?.();
      return;
    case 'showLog':
      log.show();
      return;
  }
}

/**
 * Shows an error notification with the next steps it calls for. `retry` is offered only when the
 * caller can redo the work. Resolves once the chosen step has run (or none was chosen).
 */
export async function showError(
  error: unknown,
  log: Log,
  retry?: () => Thenable<unknown> | Promise<unknown>,
): Promise<void> {
  const failure = asGenosError(error, log);
  if (failure.kind === 'cancelled') return;
  const actions = errorActions(failure).filter(
    (action) => (action !== 'retry' && action !== 'retryLessContext') || retry !== undefined,
  );
  const labels = actions.map(actionLabel);
  const chosen = await vscode.window.showErrorMessage(describeError(failure, t), ...labels);
  await runErrorAction(actions[labels.indexOf(chosen ?? '')], log, { retry });
}
