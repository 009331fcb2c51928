import * as fs from 'node:fs/promises';
import * as vscode from 'vscode';
import { t } from '../base/l10n';
import type { Log } from '../base/log';
import type { ConversationSummary, TurnView } from '../../shared/protocol';
import {
  CONVERSATION_ID,
  isSummary,
  parseConversation,
  type Conversation,
  type StoredTurn,
} from './conversationSchema';

export type { Conversation, StoredTurn } from './conversationSchema';

let counter = 0;
/** A new id, unique in this window and across windows. */
export const newId = (prefix: string) =>
  `${prefix}${Date.now().toString(36)}${(counter++).toString(36)}${Math.random().toString(36).slice(2, 6)}`;

export function emptyConversation(): Conversation {
  const now = Date.now();
  return { id: newId('conv'), title: '', createdAt: now, updatedAt: now, turns: [] };
}

/** A stored turn as the webview shows it (without the attached text). */
export function toView(turn: StoredTurn): TurnView {
  return {
    id: turn.id,
    question: turn.question,
    context: turn.context,
    answer: turn.answer,
    reasoning: turn.reasoning,
    status: turn.status,
    model: turn.model,
    usage: turn.usage,
    error: turn.error,
    notes: turn.notes,
    cutOff: turn.cutOff,
    mode: turn.mode,
    steps: turn.steps,
    changes: turn.changes,
    stepLimit: turn.stepLimit,
    rules: turn.rules,
  };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const INDEX = 'index.json';
/** Conversation files are `<id>.json`; temporary and set-aside files have a second dot. */
const CONVERSATION_FILE = /^([A-Za-z0-9_-]+)\.json$/;

/** What was found damaged and set aside, for the one notice the user gets. */
export interface RecoveryReport {
  /** Conversations listed after the repair. */
  recovered: number;
  /** Where the damaged files now are. */
  setAside: vscode.Uri[];
}

function summaryOf(conversation: Conversation): ConversationSummary {
  return {
    id: conversation.id,
    title: conversation.title ?? '',
    updatedAt: conversation.updatedAt,
    turns: conversation.turns.length,
    ...(conversation.mode === 'agent' && { mode: 'agent' as const }),
  };
}

/**
 * Conversations as JSON files in the extension's global storage, with an index of summaries. Files
 * rather than globalState, which VS Code loads at start-up for every window.
 *
 * Nothing here can lose a conversation: every write goes to a temporary file renamed over the
 * target, so a crash leaves the old or the new file, never half of one. The index is only a cache
 * of the files: each listing reconciles it with the folder, so a save from another window or a
 * damaged index loses nothing. A file that cannot be read is moved aside
 * (`name.corrupt-<time>.json`), never overwritten, and `onDamage` hears of it once per session.
 * Writes of one window are serialized.
 */
export class ConversationStore {
  private writes: Promise<unknown> = Promise.resolve();
  private reported = false;

  constructor(
    private readonly folder: vscode.Uri,
    private readonly onDamage?: (report: RecoveryReport) => void,
  ) {}

  private get indexUri(): vscode.Uri {
    return vscode.Uri.joinPath(this.folder, INDEX);
  }

  /** The file of a conversation; callers check the id against CONVERSATION_ID first. */
  private file(id: string): vscode.Uri {
    return vscode.Uri.joinPath(this.folder, `${id}.json`);
  }

  /** The parsed file; `missing` when there is none, `damaged` when `parse` finds it is not what it expects. */
  private async read<T>(uri: vscode.Uri, parse: (value: unknown) => T | undefined): Promise<T | 'missing' | 'damaged'> {
    let bytes: Uint8Array;
    try {
      bytes = await vscode.workspace.fs.readFile(uri);
    } catch {
      return 'missing';
    }
    try {
      return parse(JSON.parse(decoder.decode(bytes))) ?? 'damaged';
    } catch {
      return 'damaged';
    }
  }

  /**
   * Writes a whole file or nothing: a temporary file first, then renamed over the target. On disk
   * that is one rename(2), atomic even against another window doing the same; the editor's file
   * API would delete the target first, which two windows can race on.
   */
  private async writeAtomically(uri: vscode.Uri, value: unknown): Promise<void> {
    const temporary = uri.with({ path: `${uri.path}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}` });
    const bytes = encoder.encode(JSON.stringify(value));
    try {
      if (uri.scheme === 'file') {
        // Conversations hold code and terminal output: readable by the user alone where the system allows.
        await fs.mkdir(this.folder.fsPath, { recursive: true, mode: 0o700 });
        await fs.writeFile(temporary.fsPath, bytes, { mode: 0o600 });
        await fs.rename(temporary.fsPath, uri.fsPath);
        return;
      }
      await vscode.workspace.fs.createDirectory(this.folder);
      await vscode.workspace.fs.writeFile(temporary, bytes);
      await vscode.workspace.fs.rename(temporary, uri, { overwrite: true });
    } catch (error) {
      // A write that failed leaves no temporary file behind.
      await vscode.workspace.fs.delete(temporary).then(undefined, () => undefined);
      throw error;
    }
  }

  /** Moves a damaged file aside under a name no listing reads, and returns where it went. */
  private async setAside(uri: vscode.Uri): Promise<vscode.Uri> {
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
    const target = uri.with({
      path: uri.path.replace(/\.json$/, `.corrupt-${stamp}-${Math.random().toString(36).slice(2, 6)}.json`),
    });
    await vscode.workspace.fs.rename(uri, target, { overwrite: false });
    return target;
  }

  private async ids(): Promise<string[]> {
    let entries: [string, vscode.FileType][];
    try {
      entries = await vscode.workspace.fs.readDirectory(this.folder);
    } catch {
      return [];
    }
    return entries.flatMap(([name, type]) => {
      const match = type === vscode.FileType.File && name !== INDEX ? CONVERSATION_FILE.exec(name) : null;
      return match ? [match[1]] : [];
    });
  }

  /**
   * The index reconciled with the folder: entries whose file is gone are dropped, files the index
   * does not list are read and added, damaged files are set aside. `changed` says whether the
   * index on disk needs rewriting.
   */
  private async reconcile(): Promise<{ entries: ConversationSummary[]; changed: boolean }> {
    const setAside: vscode.Uri[] = [];
    const index = await this.read(this.indexUri, (v) => (Array.isArray(v) && v.every(isSummary) ? v : undefined));
    if (index === 'damaged') setAside.push(await this.setAside(this.indexUri));
    const listed = new Map((Array.isArray(index) ? index : []).map((entry) => [entry.id, entry]));
    const entries: ConversationSummary[] = [];
    let changed = index === 'damaged';
    for (const id of await this.ids()) {
      const known = listed.get(id);
      if (known) {
        entries.push(known);
        continue;
      }
      changed = true;
      const conversation = await this.read(this.file(id), (v) => parseConversation(v, id));
      if (conversation === 'damaged') setAside.push(await this.setAside(this.file(id)));
      else if (conversation !== 'missing') entries.push(summaryOf(conversation));
    }
    if (entries.length !== listed.size) changed = true;
    if (setAside.length > 0) this.report({ recovered: entries.length, setAside });
    return { entries, changed };
  }

  /** Reconciles and writes the index back when that changed it. */
  private async repairedIndex(): Promise<ConversationSummary[]> {
    const { entries, changed } = await this.reconcile();
    if (changed) await this.writeAtomically(this.indexUri, entries);
    return entries;
  }

  private report(report: RecoveryReport): void {
    if (this.reported) return;
    this.reported = true;
    this.onDamage?.(report);
  }

  /** Conversations, most recent first. */
  list(): Promise<ConversationSummary[]> {
    return this.enqueue(async () => [...(await this.repairedIndex())].sort((a, b) => b.updatedAt - a.updatedAt));
  }

  /** A saved conversation; undefined when there is none, or it is damaged (it is then set aside). */
  load(id: string): Promise<Conversation | undefined> {
    if (!CONVERSATION_ID.test(id)) return Promise.resolve(undefined);
    return this.enqueue(async () => {
      const conversation = await this.read(this.file(id), (v) => parseConversation(v, id));
      if (conversation !== 'damaged') return conversation === 'missing' ? undefined : conversation;
      const setAside = await this.setAside(this.file(id));
      this.report({ recovered: (await this.repairedIndex()).length, setAside: [setAside] });
      return undefined;
    });
  }

  /** Saves a conversation that has at least one turn; other windows' entries stay in the index. */
  save(conversation: Conversation): Promise<void> {
    return this.enqueue(async () => {
      if (conversation.turns.length === 0 || !CONVERSATION_ID.test(conversation.id)) return;
      await this.writeAtomically(this.file(conversation.id), conversation);
      const { entries } = await this.reconcile();
      await this.writeAtomically(this.indexUri, [
        summaryOf(conversation),
        ...entries.filter((item) => item.id !== conversation.id),
      ]);
    });
  }

  delete(id: string): Promise<void> {
    if (!CONVERSATION_ID.test(id)) return Promise.resolve();
    return this.enqueue(async () => {
      try {
        await vscode.workspace.fs.delete(this.file(id));
      } catch {
        // Already gone.
      }
      await this.repairedIndex();
    });
  }

  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const next = this.writes.then(work, work);
    this.writes = next.catch(() => undefined);
    return next;
  }
}

/** The notice of a repair, with the count in the grammatical number it needs. */
export function recoveryMessage(recovered: number, where: string): string {
  if (recovered === 0) {
    return t(
      'Some saved GenOS conversations were damaged, and none could be recovered; the damaged files were kept as {0}.',
      where,
    );
  }
  if (recovered === 1) {
    return t(
      'Some saved GenOS conversations were damaged. One conversation was recovered; the damaged files were kept as {0}.',
      where,
    );
  }
  return t(
    'Some saved GenOS conversations were damaged. {0} conversations were recovered; the damaged files were kept as {1}.',
    recovered,
    where,
  );
}

/** Tells the user, once, that damaged history files were set aside and what was kept; logs it. */
export function announceRecovery(report: RecoveryReport, log: Log): void {
  const where = report.setAside.map((uri) => uri.fsPath);
  log.warn(
    `chat history: ${where.length} damaged file(s) moved aside (${where.join(', ')}); ${report.recovered} conversation(s) listed after the repair`,
  );
  const showLog = t('Show Log');
  void Promise.resolve(
    vscode.window.showWarningMessage(recoveryMessage(report.recovered, where.join(', ')), showLog),
  ).then(
    (choice) => (choice === showLog ? log.show() : undefined),
    () => undefined,
  );
}
