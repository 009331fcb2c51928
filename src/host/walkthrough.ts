import * as vscode from 'vscode';
import type { ConnectionManager } from './connection';
import { connectionSettings } from './settings';
import { WALKTHROUGH_OFFERED } from './walkthroughState';

export const WALKTHROUGH = 'genos.genos-vscode#genos.gettingStarted';

/**
 * Opens the Get Started walkthrough once, after the first install, and only when nothing is
 * configured: no address in the settings and no serving provisioned in the environment. Respects
 * `workbench.welcomePage.walkthroughs.openOnInstall`.
 */
export function offerWalkthrough(state: vscode.Memento, connections: ConnectionManager): void {
  if (state.get<boolean>(WALKTHROUGH_OFFERED)) return;
  const settings = connectionSettings();
  const configured = !!(settings.baseUrl.trim() || settings.servingId.trim() || connections.provisioned);
  void state.update(WALKTHROUGH_OFFERED, true);
  if (configured || vscode.workspace.getConfiguration('workbench.welcomePage').get('walkthroughs.openOnInstall') === false) return;
  void vscode.commands.executeCommand('workbench.action.openWalkthrough', WALKTHROUGH, false);
}
