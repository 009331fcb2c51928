import type { HistoryTurn } from '../client/prompts';
import type { FittedPrompt } from './contextBudget';
import type { StoredTurn } from './conversationStore';
import { t } from './l10n';

/** What a continuation asks. */
export const CONTINUE =
  'Continue exactly where your previous answer stopped. Do not repeat anything; do not start over.';

/** The earlier exchanges a new question builds on: finished or stopped turns before `current`. */
export function historyOf(turns: StoredTurn[], current: StoredTurn | undefined): HistoryTurn[] {
  const end = current ? turns.indexOf(current) : -1;
  return (end >= 0 ? turns.slice(0, end) : turns)
    .filter((h) => h !== current && (h.status === 'done' || h.status === 'stopped'))
    .map((h) => ({ question: h.question, context: h.contextBlocks, answer: h.answer, reasoning: h.reasoning }));
}

/** What the panel says about a request fitted into the window. */
export function fitNotes(fitted: FittedPrompt): string[] {
  const notes: string[] = [];
  if (fitted.omittedTurns === 1) notes.push(t("1 earlier turn not sent, to fit the model's context window."));
  else if (fitted.omittedTurns > 1) {
    notes.push(t("{0} earlier turns not sent, to fit the model's context window.", fitted.omittedTurns));
  }
  for (const cut of fitted.cut) {
    notes.push(t('{0} cut to lines {1}-{2} (of {3}) to fit.', cut.label, cut.from, cut.to, cut.lines));
  }
  return notes;
}
