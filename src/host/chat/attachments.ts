import type { ContextBlock } from '../../client/prompts';
import type { AttachKind, ContextChip } from '../../shared/protocol';
import { estimateTokens, MESSAGE_OVERHEAD } from '../../shared/tokens';
import { newId } from './conversationStore';
import type { EditorContext } from '../context/editorContext';
import { pickFiles } from '../context/workspaceFiles';

/** Context attached to a question: the chip the panel shows and the text that is sent. */
export interface Attachment {
  chip: ContextChip;
  block: ContextBlock;
}

/** Attachments for code given by a command (for example the selection it explains). */
export const asAttachments = (blocks: ContextBlock[]): Attachment[] =>
  blocks.map((block) => ({ chip: { id: newId('ctx'), kind: 'selection', label: block.label }, block }));

/** What waits to be sent with the next question; every change is shown in the panel. */
export class Attachments {
  private list: Attachment[] = [];

  constructor(
    private readonly editor: EditorContext,
    private readonly show: (chips: ContextChip[]) => void,
  ) {}

  get chips(): ContextChip[] {
    return this.list.map((a) => a.chip);
  }

  get blocks(): ContextBlock[] {
    return this.list.map((a) => a.block);
  }

  /** Attaches the current selection; says so when there is none. Returns whether it attached. */
  attachSelection(): boolean {
    return this.add('selection', this.editor.selection());
  }

  /** Attaches the current file. */
  attachFile(): boolean {
    return this.add('file', this.editor.file());
  }

  /** Attaches what the `@` menu names; says so when there is nothing of that kind. */
  async attach(kind: AttachKind): Promise<boolean> {
    switch (kind) {
      case 'selection':
        return this.attachSelection();
      case 'file':
        return this.attachFile();
      case 'files':
        return this.addAll('file', await pickFiles());
      case 'problems':
      case 'workspaceProblems':
        return this.add('problems', this.editor.problems(kind === 'problems' ? 'file' : 'workspace'));
      case 'editors':
        return this.addAll('editors', this.editor.editors());
      case 'terminal':
        return this.add('terminal', this.editor.terminal());
    }
  }

  private addAll(kind: ContextChip['kind'], blocks: ContextBlock[]): boolean {
    for (const block of blocks) this.add(kind, block);
    return blocks.length > 0;
  }

  /** Takes an attachment off. */
  remove(id: string): void {
    this.set(this.list.filter((a) => a.chip.id !== id));
  }

  /** Hands the attachments to a question that is being sent; none wait after it. */
  take(): Attachment[] {
    const taken = this.list;
    this.set([]);
    return taken;
  }

  private add(kind: ContextChip['kind'], block: ContextBlock | undefined): boolean {
    if (!block) return false;
    const tokens = estimateTokens(`${block.label}\n${block.text}`) + MESSAGE_OVERHEAD;
    this.set([
      ...this.list.filter((a) => a.chip.label !== block.label),
      { chip: { id: newId('ctx'), kind, label: block.label, tokens }, block },
    ]);
    return true;
  }

  private set(list: Attachment[]): void {
    this.list = list;
    this.show(this.chips);
  }
}
