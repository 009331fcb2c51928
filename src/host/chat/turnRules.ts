/**
 * The rules files a turn applies: found for the files it is about, unless the conversation turned
 * them off; recorded on the turn once its request is fitted (the rules sent, and a note for those
 * left out or not applied in Restricted Mode, said once a conversation).
 */
import * as vscode from 'vscode';
import type { HostMessage } from '../../shared/protocol';
import { t } from '../base/l10n';
import { activeFiles, rulesFor, type AppliedRules } from '../context/rules';
import type { FittedPrompt } from '../requests/contextBudget';
import type { Conversation, StoredTurn } from './conversationStore';

export const RESTRICTED_RULES_NOTE = () => t("Restricted Mode: the repository's rules files are not applied.");

/** The rules for a turn about `files` (by default the active editor's file). */
export function rulesOfTurn(conversation: Conversation | undefined, files = activeFiles()): Promise<AppliedRules> {
  if (conversation?.rulesOff) return Promise.resolve({ rules: [], restricted: false });
  return rulesFor(files);
}

/**
 * Records on `turn` the rules its fitted request carries; returns the message that tells the panel
 * and the notes to add (rules left out, or not applied in Restricted Mode the first time).
 */
export function recordRules(
  conversation: Conversation,
  turn: StoredTurn,
  applied: AppliedRules,
  fitted: FittedPrompt,
): { message?: HostMessage; notes: string[] } {
  const sent = applied.rules.filter((rule) => fitted.rules.includes(rule.label));
  turn.rules = sent.length ? sent.map((rule) => rule.label) : undefined;
  turn.ruleFiles = sent.length ? sent.map((rule) => ({ label: rule.label, uri: rule.uri.toString() })) : undefined;
  const notes: string[] = [];
  if (fitted.rulesLeftOut.length) {
    notes.push(t("Rules left out to fit the model's context window: {0}", fitted.rulesLeftOut.join(', ')));
  }
  const restricted = RESTRICTED_RULES_NOTE();
  if (applied.restricted && !conversation.turns.some((other) => other.notes?.includes(restricted))) {
    notes.push(restricted);
  }
  const message: HostMessage | undefined = turn.rules
    ? { type: 'turnRules', requestId: turn.id, rules: turn.rules }
    : undefined;
  return { message, notes };
}

/** Opens a rules file turn `turn` used, by its label; nothing else can be opened this way. */
export async function openRule(turn: StoredTurn | undefined, label: string): Promise<void> {
  const file = turn?.ruleFiles?.find((rule) => rule.label === label);
  if (file) await vscode.window.showTextDocument(vscode.Uri.parse(file.uri), { preview: true });
}
