import * as vscode from 'vscode';
import type { Translate } from '../../client/errorMessages';

/** `vscode.l10n.t` in the shape the client's message helpers take. */
export const t: Translate = (message, ...args) => vscode.l10n.t(message, ...args);
