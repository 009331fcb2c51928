/**
 * What an agent turn changed, file by file, so that "Undo all" puts every file back exactly: the
 * bytes on disk before the turn's first change (a created file: removed), or, for a file that held
 * unsaved typing, the editor's text before (the typing kept, the disk never touched). Before undoing,
 * each file is compared with what the turn left: a file changed since is not overwritten silently.
 */
import * as vscode from 'vscode';

export interface JournalEntry {
  uri: vscode.Uri;
  display: string;
  /** The turn created the file. */
  created: boolean;
  /** The file's bytes before the turn's first change (not for a created file or unsaved typing). */
  diskBefore?: Uint8Array;
  /** The editor's text before, when the file held unsaved typing. */
  textBefore?: string;
  /** The text just before this change (to see whether someone else changed the file in between). */
  textAtChange: string;
  /** The text the turn left. */
  after: string;
  /** The file was changed by someone else between two of the turn's changes. */
  interleaved?: boolean;
}

/** A changed file, for the list at the end of the turn. */
export interface ChangedFile {
  path: string;
  created: boolean;
}

async function currentText(uri: vscode.Uri): Promise<string | undefined> {
  const open = vscode.workspace.textDocuments.find((document) => document.uri.toString() === uri.toString());
  if (open) return open.getText();
  const bytes = await Promise.resolve(vscode.workspace.fs.readFile(uri)).catch(() => undefined);
  return bytes && new TextDecoder().decode(bytes);
}

export class ChangeJournal {
  private readonly entries = new Map<string, JournalEntry>();

  /**
   * Records a change; a file changed again keeps its first state before and its last after. When
   * the file was changed by someone else in between, Undo all will ask before losing that.
   */
  record(entry: JournalEntry): void {
    const key = entry.uri.toString();
    const first = this.entries.get(key);
    if (!first) this.entries.set(key, entry);
    else {
      const interleaved = first.interleaved || entry.textAtChange !== first.after || undefined;
      this.entries.set(key, { ...first, after: entry.after, interleaved });
    }
  }

  /** Adds what `later` recorded (a continued turn): this journal's states before stay. */
  merge(later: ChangeJournal): ChangeJournal {
    for (const entry of later.entries.values()) this.record(entry);
    return this;
  }

  get files(): ChangedFile[] {
    return [...this.entries.values()].map((entry) => ({ path: entry.display, created: entry.created }));
  }

  get empty(): boolean {
    return this.entries.size === 0;
  }

  /** The files that no longer hold what the turn left (edited or removed since). */
  async changedSince(): Promise<string[]> {
    const changed: string[] = [];
    for (const entry of this.entries.values()) {
      if (entry.interleaved || (await currentText(entry.uri)) !== entry.after) changed.push(entry.display);
    }
    return changed;
  }

  /** Puts every file back as it was before the turn; returns the files that could not be. */
  async undoAll(): Promise<string[]> {
    const failed: string[] = [];
    for (const entry of [...this.entries.values()].reverse()) {
      try {
        await undo(entry);
      } catch {
        failed.push(entry.display);
      }
    }
    this.entries.clear();
    return failed;
  }

  /** The changes are kept: nothing to undo any more. */
  clear(): void {
    this.entries.clear();
  }
}

async function undo(entry: JournalEntry): Promise<void> {
  const { uri } = entry;
  if (entry.created) {
    const edit = new vscode.WorkspaceEdit();
    edit.deleteFile(uri, { ignoreIfNotExists: true });
    if (!(await vscode.workspace.applyEdit(edit))) throw new Error('not deleted');
    return;
  }
  if (entry.textBefore !== undefined) {
    // The user's unsaved typing comes back into the editor. The turn did not write the disk; if the
    // user saved since, the agent's change is on disk: the bytes from before go back there first.
    const document = await vscode.workspace.openTextDocument(uri);
    if (!document.isDirty && entry.diskBefore) {
      await writeBack(uri, entry.diskBefore);
    }
    const edit = new vscode.WorkspaceEdit();
    const whole = new vscode.Range(new vscode.Position(0, 0), document.positionAt(document.getText().length));
    edit.replace(uri, whole, entry.textBefore);
    if (!(await vscode.workspace.applyEdit(edit))) throw new Error('not restored');
    return;
  }
  // The exact bytes go back on disk; an open editor without unsaved changes follows the file.
  await writeBack(uri, entry.diskBefore ?? new Uint8Array());
  const open = vscode.workspace.textDocuments.find((document) => document.uri.toString() === uri.toString());
  if (open?.isDirty) {
    // Typing after the turn, which the user chose to undo anyway: the editor shows the file as it was.
    const edit = new vscode.WorkspaceEdit();
    const whole = new vscode.Range(new vscode.Position(0, 0), open.positionAt(open.getText().length));
    edit.replace(uri, whole, new TextDecoder().decode(entry.diskBefore));
    await vscode.workspace.applyEdit(edit);
  }
}

/** Writes `bytes` to the file itself, never through a link put in its place since. */
async function writeBack(uri: vscode.Uri, bytes: Uint8Array): Promise<void> {
  const stat = await Promise.resolve(vscode.workspace.fs.stat(uri)).catch(() => undefined);
  if (stat && stat.type & vscode.FileType.SymbolicLink) throw new Error('now a link');
  await vscode.workspace.fs.writeFile(uri, bytes);
}
