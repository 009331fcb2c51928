/**
 * Fits a request into the model's context window: the system prompt, the question and its
 * attachments always go; the oldest earlier turns are left out first, then attachments are cut
 * from their far ends, keeping their middle. Plain code (no `vscode`), so it is unit-tested alone.
 */
import {
  buildMessages,
  userContent,
  withRules,
  type ContextBlock,
  type HistoryTurn,
  type RuleText,
} from '../../client/prompts';
import type { ChatMessage } from '../../client/openai';
import { estimateTokens, MESSAGE_OVERHEAD } from '../../shared/tokens';
import { fitSteps, type AgentStep } from './stepBudget';

/** What a request is made of, before it is fitted. */
export interface PromptParts {
  system: string;
  /** Earlier exchanges, oldest first. */
  history: HistoryTurn[];
  question: string;
  /** The question's attachments; a `fixed` one is never cut (the code a rewrite replaces). */
  context: ContextBlock[];
  /** An agent turn's steps so far, sent after the question; they come before earlier turns. */
  steps?: readonly AgentStep[];
  /** The repository's rules, after the system prompt; kept whole, in order, up to a quarter of the window. */
  rules?: readonly RuleText[];
}

export interface Budget {
  /** The model's context window, in tokens. */
  window: number;
  /** Tokens kept free for the answer. */
  reserve: number;
  /** Server tokens per estimated token for this serving (1 until it has been measured). */
  factor: number;
}

/** An attachment that was shortened: the lines kept, of how many. */
export interface CutNote {
  label: string;
  /** 1-based, in the file when the attachment says where it starts. */
  from: number;
  to: number;
  lines: number;
}

export interface FittedPrompt {
  messages: ChatMessage[];
  /** Estimated (corrected) tokens of the messages. */
  tokens: number;
  /** The same before correction, to compare with the server's count. */
  rawTokens: number;
  /** Earlier turns left out, oldest first. */
  omittedTurns: number;
  cut: CutNote[];
  /** Of an agent turn's steps: those whose results were shortened, and the oldest left out. */
  steps?: { shortened: number; omitted: number };
  /** The rules sent, and those left out because the rules would take more than a quarter of the window. */
  rules: string[];
  rulesLeftOut: string[];
  /** False when even the question with its attachments at their shortest exceeds the window. */
  fits: boolean;
}

/** The share of the room an agent turn's steps fill at most (see fitToWindow). */
const STEPS_SHARE = 0.95;

/** Fewest lines an attachment is cut down to. */
const MIN_LINES = 3;

function blockText(block: ContextBlock): string {
  // The label and fence around each block; a close enough stand-in for userContent's framing.
  return `${block.label}:\n\`\`\`${block.language}\n${block.text}\n\`\`\`\n\n`;
}

/** The middle `keep` tokens' worth of lines of a block: from its far ends inwards. */
function cutBlock(
  block: ContextBlock,
  keepTokens: number,
  factor: number,
): { block: ContextBlock; note: CutNote } | undefined {
  const lines = block.text.split('\n');
  if (lines.length <= MIN_LINES) return undefined;
  const costs = lines.map((line) => (estimateTokens(line) + 0.5) * factor);
  // Grow a window of lines around the middle while it fits.
  let start = Math.floor(lines.length / 2);
  let end = start; // exclusive
  let used = 0;
  while (end - start < lines.length) {
    const takeBelow = end < lines.length && (end - start) % 2 === 0;
    const index = takeBelow || start === 0 ? end : start - 1;
    if (used + costs[index] > keepTokens && end - start >= MIN_LINES) break;
    used += costs[index];
    if (index === end) end++;
    else start--;
  }
  if (end - start >= lines.length) return undefined;
  const first = (block.firstLine ?? 1) + start;
  const last = (block.firstLine ?? 1) + end - 1;
  const note = { label: block.label.replace(/:\d+(-\d+)?$/, ''), from: first, to: last, lines: lines.length };
  return {
    block: {
      ...block,
      text: lines.slice(start, end).join('\n'),
      label: `${block.label} (lines ${first}-${last} of ${note.label}; the rest was left out to fit the model's context)`,
      firstLine: first,
    },
    note,
  };
}

/**
 * Tokens kept for the answer when `genos.maxTokens` is not set: a quarter of the window, at most
 * this. One rule for every surface (the panel, the editor commands, VS Code's chat): an answer
 * that writes a file needs the room, and a prompt fitted with less would cut it short.
 */
export const DEFAULT_RESERVE = 4096;

/**
 * Tokens kept for the answer in a window of `window` tokens: `genos.maxTokens` when set, else
 * {@link DEFAULT_RESERVE}, and never more than a quarter of the window. `maxTokens` is what is sent
 * as `max_tokens`: the same number when the user set one (so the prompt plus the answer always fit
 * the window), nothing otherwise (the server then allows what is left).
 */
export function outputReserve(maxTokens: number | undefined, window: number): { reserve: number; maxTokens?: number } {
  const reserve = Math.max(1, Math.min(maxTokens ?? DEFAULT_RESERVE, Math.floor(window / 4)));
  return { reserve, maxTokens: maxTokens === undefined ? undefined : reserve };
}

/** The request for `parts` within `budget`. */
/** The rules that fit in `share` tokens, whole and in order; the rest are named, never cut silently. */
function fitRules(rules: readonly RuleText[], share: number, factor: number): { kept: RuleText[]; leftOut: string[] } {
  const kept: RuleText[] = [];
  const leftOut: string[] = [];
  let used = 0;
  for (const rule of rules) {
    const tokens = (estimateTokens(rule.text) + estimateTokens(rule.label) + 4) * factor;
    if (used + tokens > share) leftOut.push(rule.label);
    else {
      kept.push(rule);
      used += tokens;
    }
  }
  return { kept, leftOut };
}

export function fitToWindow(parts: PromptParts, budget: Budget): FittedPrompt {
  const { factor } = budget;
  const available = budget.window - budget.reserve;
  const rules = fitRules(parts.rules ?? [], Math.floor(budget.window / 4), factor);
  const system = withRules(parts.system, rules.kept);
  // Each message is estimated once, from the exact text that is sent.
  const systemRaw = system.trim() ? estimateTokens(system) + MESSAGE_OVERHEAD : 0;
  let context = parts.context;
  let questionRaw = estimateTokens(userContent(parts.question, context)) + MESSAGE_OVERHEAD;
  const cut: CutNote[] = [];

  // Attachments are cut only when the question alone does not fit: the largest first.
  let over = (systemRaw + questionRaw) * factor - available;
  const tried = new Set<number>();
  // Each block is sized once; only a block that is cut is sized again.
  const sizes = over > 0 ? context.map((block) => estimateTokens(blockText(block)) * factor) : [];
  while (over > 0) {
    let largest: { block: ContextBlock; index: number; tokens: number } | undefined;
    context.forEach((block, index) => {
      if (!block.fixed && !tried.has(index) && (!largest || sizes[index] > largest.tokens)) {
        largest = { block, index, tokens: sizes[index] };
      }
    });
    if (!largest) break;
    tried.add(largest.index);
    const shortened = cutBlock(largest.block, Math.max(0, largest.tokens - over), factor);
    if (!shortened) continue;
    const index = largest.index;
    context = context.map((block, i) => (i === index ? shortened.block : block));
    const size = estimateTokens(blockText(shortened.block)) * factor;
    // Close enough to decide the next cut; the exact count is taken once the cutting is over.
    questionRaw += (size - sizes[index]) / factor;
    sizes[index] = size;
    cut.push(shortened.note);
    over = (systemRaw + questionRaw) * factor - available;
  }
  if (cut.length) questionRaw = estimateTokens(userContent(parts.question, context)) + MESSAGE_OVERHEAD;
  let rawTokens = systemRaw + questionRaw;

  // An agent turn's steps next: the task at hand matters more than earlier turns. They grow with
  // every step, so they keep a margin below the edge, where a request is counted exactly first.
  const steps = parts.steps?.length
    ? fitSteps(parts.steps, Math.max(0, STEPS_SHARE * available - rawTokens * factor), factor)
    : undefined;
  if (steps) rawTokens += steps.tokens / factor;

  // Then as many of the most recent earlier turns as fit.
  let kept = 0;
  for (let i = parts.history.length - 1; i >= 0; i--) {
    const turn = parts.history[i];
    const answer = turn.answer || turn.reasoning || '';
    if (!answer) {
      kept++;
      continue;
    }
    const turnRaw =
      estimateTokens(userContent(turn.question, turn.context)) + estimateTokens(answer) + 2 * MESSAGE_OVERHEAD;
    if ((rawTokens + turnRaw) * factor > available) break;
    rawTokens += turnRaw;
    kept++;
  }
  const history = parts.history.slice(parts.history.length - kept);
  const omittedTurns = parts.history
    .slice(0, parts.history.length - kept)
    .filter((turn) => turn.answer || turn.reasoning).length;
  const messages = buildMessages(system, history, parts.question, context);
  if (steps) messages.push(...steps.messages);
  return {
    messages,
    tokens: Math.ceil(rawTokens * factor),
    rawTokens,
    omittedTurns,
    cut,
    steps: steps && { shortened: steps.shortened, omitted: steps.omitted },
    rules: rules.kept.map((rule) => rule.label),
    rulesLeftOut: rules.leftOut,
    fits: rawTokens * factor <= available && (steps?.fits ?? true),
  };
}

/**
 * Server tokens per estimated token, per serving and model, learned from each answer's
 * `usage.prompt_tokens`: the estimate gets closer as the serving is used.
 */
export class TokenCalibration {
  private readonly factors = new Map<string, number>();

  factor(key: string): number {
    return this.factors.get(key) ?? 1;
  }

  /** Whether the serving has been measured (its factor is not a guess). */
  known(key: string): boolean {
    return this.factors.has(key);
  }

  /**
   * Takes in a measured count: the factor moves halfway towards what it shows, or all the way
   * when `exact` (a refusal named the count, and the retry must fit).
   */
  observe(key: string, estimated: number, actual: number, exact = false): void {
    if (!(estimated > 0 && actual > 0)) return;
    const measured = Math.min(4, Math.max(0.25, actual / estimated));
    const previous = this.factors.get(key);
    this.factors.set(key, previous === undefined || exact ? measured : (previous + measured) / 2);
  }
}
