/**
 * The shape of a saved conversation, checked field by field when a file is read: a file another
 * version, another tool or a damaged disk wrote is set aside instead of breaking the panel. Plain
 * code (no `vscode`), so it is tested and fuzzed in Node.
 */
import type { ContextBlock } from '../../client/prompts';
import {
  CHAT_ACTIONS,
  type ChatAction,
  type ContextChip,
  type ConversationSummary,
  type TurnStatus,
  type TurnView,
} from '../../shared/protocol';

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

/** Ids name files: letters, digits, `_` and `-`, and never the index's name. */
export const CONVERSATION_ID = /^(?!index$)[A-Za-z0-9_-]{1,128}$/;

const STATUSES: ReadonlySet<TurnStatus> = new Set(['streaming', 'done', 'stopped', 'error']);
const ACTIONS: ReadonlySet<ChatAction> = new Set(CHAT_ACTIONS);
const CHIP_KINDS: ReadonlySet<ContextChip['kind']> = new Set(['selection', 'file', 'problems', 'editors', 'terminal']);

type Fields = Record<string, unknown>;
const isObject = (v: unknown): v is Fields => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const optional = (v: unknown, check: (v: unknown) => boolean) => v === undefined || check(v);
const arrayOf = (v: unknown, check: (item: unknown) => boolean) => Array.isArray(v) && v.every(check);

function isChip(v: unknown): v is ContextChip {
  return (
    isObject(v) &&
    isString(v.id) &&
    isString(v.label) &&
    CHIP_KINDS.has(v.kind as ContextChip['kind']) &&
    optional(v.tokens, isCount)
  );
}

function isBlock(v: unknown): v is ContextBlock {
  return (
    isObject(v) &&
    isString(v.label) &&
    isString(v.language) &&
    isString(v.text) &&
    optional(v.firstLine, isCount) &&
    optional(v.fixed, (f) => typeof f === 'boolean')
  );
}

function isUsage(v: unknown): boolean {
  return isObject(v) && isCount(v.promptTokens) && isCount(v.completionTokens) && isCount(v.totalTokens);
}

function isTurnError(v: unknown): boolean {
  return isObject(v) && isString(v.message) && arrayOf(v.actions, (a) => ACTIONS.has(a as ChatAction));
}

/**
 * A stored turn, or undefined when a field has the wrong type. Lists and texts that older files
 * may lack (attachments, reasoning) are read as empty.
 */
function parseTurn(v: unknown): StoredTurn | undefined {
  if (!isObject(v)) return undefined;
  const turn = {
    ...v,
    context: v.context ?? [],
    contextBlocks: v.contextBlocks ?? [],
    reasoning: v.reasoning ?? '',
  } as Fields;
  const valid =
    isString(turn.id) &&
    isString(turn.question) &&
    arrayOf(turn.context, isChip) &&
    arrayOf(turn.contextBlocks, isBlock) &&
    isString(turn.answer) &&
    isString(turn.reasoning) &&
    STATUSES.has(turn.status as TurnStatus) &&
    optional(turn.model, isString) &&
    optional(turn.usage, isUsage) &&
    optional(turn.error, isTurnError) &&
    optional(turn.notes, (n) => arrayOf(n, isString)) &&
    optional(turn.cutOff, (c) => typeof c === 'boolean');
  return valid ? (turn as unknown as StoredTurn) : undefined;
}

/**
 * A saved conversation read from the file of `id`, every turn checked; undefined when anything in
 * it has the wrong shape. The id is the file's name, whatever the file says.
 */
export function parseConversation(value: unknown, id: string): Conversation | undefined {
  if (!isObject(value) || !CONVERSATION_ID.test(id) || !Array.isArray(value.turns)) return undefined;
  const title = value.title ?? '';
  const updatedAt = value.updatedAt;
  const createdAt = value.createdAt ?? updatedAt;
  if (!isString(title) || !isCount(updatedAt) || !isCount(createdAt)) return undefined;
  const turns: StoredTurn[] = [];
  for (const raw of value.turns) {
    const turn = parseTurn(raw);
    if (!turn) return undefined;
    turns.push(turn);
  }
  return { id, title, createdAt, updatedAt, turns };
}

/** Whether `value` is an entry of the conversations' index. */
export function isSummary(value: unknown): value is ConversationSummary {
  return (
    isObject(value) &&
    isString(value.id) &&
    CONVERSATION_ID.test(value.id) &&
    isString(value.title) &&
    isCount(value.updatedAt) &&
    isCount(value.turns)
  );
}
