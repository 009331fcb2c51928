/**
 * What the connection asks and warns of: the token box, consent before a token crosses plain http,
 * and the warning while self-signed certificates are accepted. The decisions stay with the caller.
 */
import * as vscode from 'vscode';
import { normalizeToken } from '../../client/token';
import { t } from '../base/l10n';
import { openSettings } from './settings';

/** Asks for the access token of `endpoint` in a password box; `offered` (from a link) only prefills it. */
export function askToken(endpoint: URL, offered?: string): Thenable<string | undefined> {
  return vscode.window.showInputBox({
    title: t('GenOS: Set Access Token'),
    // A token handed in by a link or another extension is only a suggestion: the user confirms it.
    value: offered,
    // In a browser the editor keeps secrets in the browser's own storage: say so, and how a codespace avoids it.
    prompt:
      offered !== undefined
        ? t(
            'A link or another extension offers this access token for {0}. Press Enter to save it in place of yours, or Escape to keep yours.',
            endpoint.href,
          )
        : vscode.env.uiKind === vscode.UIKind.Web
          ? t(
              "Access token for {0}. This editor runs in a browser, so the token is kept in this browser's storage: another browser, or clearing site data, asks again. In a GenOS codespace, GENOS_SERVING_API_KEY provides it with no prompt.",
              endpoint.href,
            )
          : t('Access token for {0}', endpoint.href),
    placeHolder: t('Paste the access token issued in GenOS'),
    password: true,
    ignoreFocusOut: true,
    validateInput: (value) =>
      value.trim() === '' || normalizeToken(value)
        ? undefined
        : t('The token contains spaces or characters that cannot be sent.'),
  });
}

/**
 * Asks whether the token may travel over plain http to `origin`: once, always for this address, or
 * not (undefined, also when the editor refuses to show the dialog, as it does while tests run).
 */
export async function askClearText(origin: string): Promise<'once' | 'always' | undefined> {
  const sendOnce = t('Send Anyway');
  const sendAlways = t('Always for This Address');
  const choice = await Promise.resolve(
    vscode.window.showWarningMessage(
      t(
        'The GenOS address {0} uses plain http, so the access token and your code would cross the network unencrypted. Use https:// if the server offers it.',
        origin,
      ),
      { modal: true },
      sendOnce,
      sendAlways,
    ),
  ).catch(() => undefined);
  return choice === sendAlways ? 'always' : choice === sendOnce ? 'once' : undefined;
}

/** Warns that certificates no authority signed are accepted, with a way to the settings. */
export function warnSelfSigned(): void {
  const open = t('Open Settings');
  void Promise.resolve(
    vscode.window.showWarningMessage(
      t(
        '"genos.tls.allowSelfSigned" is on: a GenOS certificate that no trusted authority signed is accepted, so someone able to intercept the connection could read your token and code. Prefer "genos.tls.caFile" with the server\'s certificate.',
      ),
      open,
    ),
  ).then(
    (choice) => (choice === open ? openSettings() : undefined),
    () => undefined,
  );
}
