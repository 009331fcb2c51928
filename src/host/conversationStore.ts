import * as vscode from 'vscode';
import type { ContextBlock } from '../client/prompts';
import type { ConversationSummary, TurnView } from '../shared/protocol';

/** A turn as stored: what the webview shows, plus the attached text that was sent. */
export interface StoredTurn extends TurnView {
  contextBlocks: ContextBlock[];
}

export interface Conversation {
  id: string;
  title: string;
  createdAt: number;
  updatedAt: number;
  turns: StoredTurn[];
}

let counter = 0;
/** A new id, unique in this window and across windows. */
export const newId = (prefix: string) => `${prefix}${Date.now().toString(36)}${(counter++).toString(36)}${Math.random().toString(36).slice(2, 6)}`;

export function emptyConversation(): Conversation {
  const now = Date.now();
  return { id: newId('conv'), title: '', createdAt: now, updatedAt: now, turns: [] };
}

/** A stored turn as the webview shows it (without the attached text). */
export function toView(turn: StoredTurn): TurnView {
  return { id: turn.id, question: turn.question, context: turn.context, answer: turn.answer, reasoning: turn.reasoning, status: turn.status, model: turn.model, usage: turn.usage, error: turn.error };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Conversations as JSON files in the extension's global storage, with a small index. Files rather
 * than globalState, which VS Code loads at start-up for every window. Writes are serialized.
 */
export class ConversationStore {
  private index?: ConversationSummary[];
  private writes: Promise<unknown> = Promise.resolve();

  constructor(private readonly folder: vscode.Uri) {}

  private file(id: string): vscode.Uri {
    return vscode.Uri.joinPath(this.folder, `${id.replace(/[^A-Za-z0-9_-]/g, '')}.json`);
  }

  private async readJson<T>(uri: vscode.Uri): Promise<T | undefined> {
    try {
      return JSON.parse(decoder.decode(await vscode.workspace.fs.readFile(uri))) as T;
    } catch {
      return undefined;
    }
  }

  /** Conversations, most recent first. */
  async list(): Promise<ConversationSummary[]> {
    this.index ??= (await this.readJson<ConversationSummary[]>(vscode.Uri.joinPath(this.folder, 'index.json'))) ?? [];
    return [...this.index].sort((a, b) => b.updatedAt - a.updatedAt);
  }

  load(id: string): Promise<Conversation | undefined> {
    return this.readJson<Conversation>(this.file(id));
  }

  /** Saves a conversation that has at least one turn. */
  save(conversation: Conversation): Promise<void> {
    return this.enqueue(async () => {
      if (conversation.turns.length === 0) return;
      await vscode.workspace.fs.createDirectory(this.folder);
      await vscode.workspace.fs.writeFile(this.file(conversation.id), encoder.encode(JSON.stringify(conversation)));
      const summary: ConversationSummary = { id: conversation.id, title: conversation.title, updatedAt: conversation.updatedAt, turns: conversation.turns.length };
      const index = (await this.list()).filter((item) => item.id !== conversation.id);
      this.index = [summary, ...index];
      await this.writeIndex();
    });
  }

  delete(id: string): Promise<void> {
    return this.enqueue(async () => {
      this.index = (await this.list()).filter((item) => item.id !== id);
      await this.writeIndex();
      try {
        await vscode.workspace.fs.delete(this.file(id));
      } catch {
        // Already gone.
      }
    });
  }

  private async writeIndex(): Promise<void> {
    await vscode.workspace.fs.createDirectory(this.folder);
    await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(this.folder, 'index.json'), encoder.encode(JSON.stringify(this.index ?? [])));
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    const next = this.writes.then(work, work);
    this.writes = next.catch(() => undefined);
    return next;
  }
}
