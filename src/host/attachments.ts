import type { ContextBlock } from '../client/prompts';
import type { ContextChip } from '../shared/protocol';
import { newId } from './conversationStore';
import type { EditorContext } from './editorContext';

/** Context attached to a question: the chip the panel shows and the text that is sent. */
export interface Attachment {
  chip: ContextChip;
  block: ContextBlock;
}

/** Attachments for code given by a command (for example the selection it explains). */
export const asAttachments = (blocks: ContextBlock[]): Attachment[] => blocks.map((block) => ({ chip: { id: newId('ctx'), kind: 'selection', label: block.label }, block }));

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

  /** Attaches the current selection; says so when there is none. Returns whether it attached. */
  attachSelection(): boolean {
    return this.add('selection', this.editor.selection());
  }

  /** Attaches the current file. */
  attachFile(): boolean {
    return this.add('file', this.editor.file());
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
    this.set([...this.list.filter((a) => a.chip.label !== block.label), { chip: { id: newId('ctx'), kind, label: block.label }, block }]);
    return true;
  }

  private set(list: Attachment[]): void {
    this.list = list;
    this.show(this.chips);
  }
}
