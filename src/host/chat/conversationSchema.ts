/**
 * The shape of a saved conversation, checked field by field when a file is read: a file another
 * version, another tool or a damaged disk wrote is set aside instead of breaking the panel. Plain
 * code (no `vscode`), so it is tested and fuzzed in Node.
 */
import type { ContextBlock } from '../../client/prompts';
import type { ChatMessage } from '../../client/openai';
import type { AgentStep } from '../requests/stepBudget';
import {
  CHAT_ACTIONS,
  STEP_ASKS,
  type ChatAction,
  type ChatMode,
  type StepView,
  type ContextChip,
  type ConversationSummary,
  type TurnStatus,
  type TurnView,
} from '../../shared/protocol';

/** A turn as stored: what the webview shows, plus the attached text that was sent. */
export interface StoredTurn extends TurnView {
  contextBlocks: ContextBlock[];
  /** An agent turn's steps as sent to the model, so that it can go on. */
  agentSteps?: AgentStep[];
  /** The rules files the turn applied, to open from their chips. */
  ruleFiles?: Array<{ label: string; uri: string }>;
}

export interface Conversation {
  id: string;
  mode?: ChatMode;
  /** The repository's rules are off for this conversation. */
  rulesOff?: boolean;
  /** The model is asked not to think in this conversation. */
  thinkingOff?: boolean;
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

const STEP_STATUSES = new Set(['running', 'asking', 'done', 'failed', 'rejected', 'stopped']);
const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool', 'function']);

function isStep(v: unknown): v is StepView {
  return (
    isObject(v) &&
    isString(v.id) &&
    isString(v.tool) &&
    isString(v.subject) &&
    STEP_STATUSES.has(v.status as string) &&
    optional(v.ask, (a) => STEP_ASKS.includes(a as never)) &&
    optional(v.sensitive, (b) => typeof b === 'boolean') &&
    optional(v.diff, isString) &&
    optional(v.detail, isString) &&
    optional(v.output, isString)
  );
}

function isWireCall(v: unknown): boolean {
  return (
    isObject(v) &&
    isString(v.id) &&
    v.type === 'function' &&
    isObject(v.function) &&
    isString(v.function.name) &&
    isString(v.function.arguments)
  );
}

function isMessage(v: unknown): v is ChatMessage {
  return (
    isObject(v) &&
    ROLES.has(v.role as string) &&
    isString(v.content) &&
    optional(v.tool_call_id, isString) &&
    optional(v.tool_calls, (c) => arrayOf(c, isWireCall))
  );
}

function isAgentStep(v: unknown): v is AgentStep {
  return isObject(v) && isMessage(v.assistant) && arrayOf(v.results, isMessage);
}

function isChanges(v: unknown): boolean {
  return (
    isObject(v) &&
    ['pending', 'kept', 'undone', 'unavailable'].includes(v.state as string) &&
    arrayOf(v.files, (f) => isObject(f) && isString(f.path) && typeof f.created === 'boolean')
  );
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
    optional(turn.cutOff, (c) => typeof c === 'boolean') &&
    optional(turn.mode, (m) => m === 'ask' || m === 'agent') &&
    optional(turn.steps, (steps) => arrayOf(steps, isStep)) &&
    optional(turn.agentSteps, (steps) => arrayOf(steps, isAgentStep)) &&
    optional(turn.changes, isChanges) &&
    optional(turn.stepLimit, (c) => typeof c === 'boolean') &&
    optional(turn.rules, (r) => arrayOf(r, isString)) &&
    optional(turn.ruleFiles, (r) => arrayOf(r, (f) => isObject(f) && isString(f.label) && isString(f.uri)));
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
  const mode = value.mode === 'agent' || value.mode === 'ask' ? value.mode : undefined;
  const rulesOff = value.rulesOff === true || undefined;
  const thinkingOff = value.thinkingOff === true || undefined;
  return {
    id,
    title,
    createdAt,
    updatedAt,
    turns,
    ...(mode && { mode }),
    ...(rulesOff && { rulesOff }),
    ...(thinkingOff && { thinkingOff }),
  };
}

/** Whether `value` is an entry of the conversations' index. */
export function isSummary(value: unknown): value is ConversationSummary {
  return (
    isObject(value) &&
    isString(value.id) &&
    CONVERSATION_ID.test(value.id) &&
    isString(value.title) &&
    isCount(value.updatedAt) &&
    isCount(value.turns) &&
    optional(value.mode, (m) => m === 'ask' || m === 'agent')
  );
}
