import * as vscode from 'vscode';
import { connectionSettings } from './connectionSettings';
import { provisionedServing } from './provisioned';

const OFFERED = 'genos.walkthroughOffered';

export const WALKTHROUGH = 'genos.genos-vscode#genos.gettingStarted';

/**
 * Opens the Get Started walkthrough once, after the first install, and only when nothing is
 * configured: no address in the settings and no serving provisioned in the environment. Respects
 * `workbench.welcomePage.walkthroughs.openOnInstall`. Called at activation by the entry: light
 * enough that the core need not load for it.
 */
export function offerWalkthrough(state: vscode.Memento): void {
  if (state.get<boolean>(OFFERED)) return;
  const settings = connectionSettings();
  const configured = !!(settings.baseUrl.trim() || settings.servingId.trim() || provisionedServing());
  void state.update(OFFERED, true);
  if (
    configured ||
    vscode.workspace.getConfiguration('workbench.welcomePage').get('walkthroughs.openOnInstall') === false
  ) {
    return;
  }
  void vscode.commands.executeCommand('workbench.action.openWalkthrough', WALKTHROUGH, false);
}
