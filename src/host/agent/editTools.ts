/**
 * The agent's `edit_file` and `create_file`, in two halves: a proposal (the new text and the lines
 * the user reviews, nothing written), then, once approved, the change applied as one workspace edit
 * (one undoable step in the editor) and recorded in the turn's journal. A file with unsaved typing
 * is edited in the editor and left unsaved, so the user's typing is neither saved nor lost.
 */
import * as vscode from 'vscode';
import type { AgentToolArgs } from '../../client/agentTools';
import { applyEdits, describeEditFailure } from '../../client/editBlocks';
import { runsCode } from '../../client/workspacePaths';
import type { ChangeJournal } from './changeJournal';
import type { ToolOutput } from './readTools';
import { resolveForAgent, type AgentTarget } from './workspaceBoundary';

/** Review lines shown at most; the diff editor shows the whole change. */
const DIFF_LINES = 400;
/** Search/replace blocks in one call at most. */
export const MAX_EDITS = 50;

/** A change the model asked for, not yet applied. */
export interface ProposedChange {
  /** The path as the model gave it, resolved again when the change is applied. */
  path: string;
  target: AgentTarget;
  /** The file's text now, as the editor holds it; undefined for a new file. */
  before?: string;
  after: string;
  /** The changed lines, `-` and `+`, under a `@@ line N @@` for each place. */
  diff: string;
  /**
   * Why this change is asked about whatever the settings: the boundary's refusal (a secret or
   * ignored file), or a file that makes something run (a task, a hook, a package script).
   */
  refusal?: string;
}

type Proposal = { change: ProposedChange } | ToolOutput;

async function target(path: string): Promise<{ target: AgentTarget; refusal?: string } | ToolOutput> {
  const resolved = await resolveForAgent(path);
  if (!('refused' in resolved)) return { target: resolved.target };
  if (!resolved.approvable || !resolved.target) return { ok: false, output: resolved.refused };
  return { target: resolved.target, refusal: resolved.refused };
}

/** The boundary's refusal, or the reason a file that runs code is always asked about. */
function askReason(found: { target: AgentTarget; refusal?: string }): string | undefined {
  const runs = runsCode(found.target.display);
  return found.refusal ?? (runs && `${found.target.display} is ${runs}`);
}

async function exists(uri: vscode.Uri): Promise<vscode.FileStat | undefined> {
  return Promise.resolve(vscode.workspace.fs.stat(uri)).catch(() => undefined);
}

/** `edit_file`: the file with the edits applied, or why they do not apply (for the model). */
export async function proposeEdit(args: AgentToolArgs['edit_file']): Promise<Proposal> {
  if (args.edits.length > MAX_EDITS) {
    return { ok: false, output: `At most ${MAX_EDITS} edits in one call; split the change.` };
  }
  const found = await target(args.path);
  if ('output' in found) return found;
  const { uri, display } = found.target;
  const stat = await exists(uri);
  if (!stat) return { ok: false, output: `${display} does not exist; use create_file for a new file.` };
  if (stat.type & vscode.FileType.Directory) return { ok: false, output: `${display} is a folder.` };
  const before = (await vscode.workspace.openTextDocument(uri)).getText();
  const outcome = applyEdits(before, args.edits);
  if (!outcome.ok) return { ok: false, output: describeEditFailure(outcome, display) };
  if (outcome.text === before) return { ok: false, output: `The edits leave ${display} as it is.` };
  const diff = reviewLines(before, args.edits);
  const refusal = askReason(found);
  return { change: { path: args.path, target: found.target, before, after: outcome.text, diff, refusal } };
}

/** `create_file`: the new file, or why it cannot be created. */
export async function proposeCreate(args: AgentToolArgs['create_file']): Promise<Proposal> {
  const found = await target(args.path);
  if ('output' in found) return found;
  const { uri, display } = found.target;
  if (await exists(uri)) return { ok: false, output: `${display} already exists; use edit_file to change it.` };
  const lines = args.content.split('\n');
  const diff = capLines(['@@ new file @@', ...lines.map((line) => `+ ${line}`)]);
  return { change: { path: args.path, target: found.target, after: args.content, diff, refusal: askReason(found) } };
}

/** The review lines of `edits` made one after another to `text`: each place that changes. */
function reviewLines(text: string, edits: AgentToolArgs['edit_file']['edits']): string {
  const out: string[] = [];
  let current = text;
  for (const edit of edits) {
    const next = applyEdits(current, [edit]);
    if (!next.ok) break;
    const [a, b] = [current.split('\n'), next.text.split('\n')];
    let start = 0;
    while (start < a.length && start < b.length && a[start] === b[start]) start++;
    let endA = a.length;
    let endB = b.length;
    while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) [endA, endB] = [endA - 1, endB - 1];
    out.push(`@@ line ${start + 1} @@`);
    for (const line of a.slice(start, endA)) out.push(`- ${line.replace(/\r$/, '')}`);
    for (const line of b.slice(start, endB)) out.push(`+ ${line.replace(/\r$/, '')}`);
    current = next.text;
  }
  return capLines(out);
}

function capLines(lines: string[]): string {
  if (lines.length <= DIFF_LINES) return lines.join('\n');
  return [...lines.slice(0, DIFF_LINES), `… ${lines.length - DIFF_LINES} more lines (open the diff to see all)`].join(
    '\n',
  );
}

/**
 * Applies an approved change as one workspace edit, saves it unless the file held unsaved typing,
 * and records it in `journal`. Refuses when the file changed since it was proposed.
 */
export async function applyChange(change: ProposedChange, journal: ChangeJournal): Promise<ToolOutput> {
  const { uri, display } = change.target;
  // The path is checked again: a link put in its place while the user looked is not written through.
  const again = await resolveForAgent(change.path);
  const reached = 'refused' in again ? again.approvable && again.target : again.target;
  if (!reached || reached.uri.toString() !== uri.toString()) {
    return { ok: false, output: `${display} is no longer the file that was proposed; nothing was written.` };
  }
  const edit = new vscode.WorkspaceEdit();
  let diskBefore: Uint8Array | undefined;
  let dirtyBefore = false;
  if (change.before === undefined) {
    if (await exists(uri)) return { ok: false, output: `${display} was created meanwhile; nothing was written.` };
    // Written as given, byte for byte; creating it is one step the editor can undo.
    edit.createFile(uri, { overwrite: false, contents: new TextEncoder().encode(change.after) });
  } else {
    const document = await vscode.workspace.openTextDocument(uri);
    diskBefore = await vscode.workspace.fs.readFile(uri);
    // Checked after the last wait: nothing typed meanwhile is replaced.
    if (document.getText() !== change.before) {
      return {
        ok: false,
        output: `${display} changed since this edit was proposed; nothing was written. Read it again.`,
      };
    }
    dirtyBefore = document.isDirty;
    const whole = new vscode.Range(new vscode.Position(0, 0), document.positionAt(document.getText().length));
    edit.replace(uri, whole, change.after);
  }
  if (!(await vscode.workspace.applyEdit(edit))) {
    return { ok: false, output: `The editor refused to change ${display}.` };
  }
  const document = await vscode.workspace.openTextDocument(uri);
  if (!dirtyBefore && document.isDirty && !(await document.save())) {
    return { ok: false, output: `${display} was changed in the editor but could not be saved.` };
  }
  journal.record({
    uri,
    display,
    created: change.before === undefined,
    diskBefore,
    textBefore: dirtyBefore ? change.before : undefined,
    textAtChange: change.before ?? '',
    after: document.getText(),
  });
  const where = dirtyBefore ? ' in the editor (not saved: the file has unsaved changes of the user)' : '';
  return { ok: true, output: `${change.before === undefined ? 'Created' : 'Edited'} ${display}${where}.` };
}
