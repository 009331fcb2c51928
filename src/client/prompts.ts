/**
 * Every prompt the extension sends, in one place: questions with their context and history, the
 * explanation, rewrite and continuation requests, and the code completion formats
 * (fill-in-the-middle prompts in the formats code models are trained on; vLLM's `/v1/completions`
 * rejects `suffix`, so the client builds the prompt). Plain functions, no I/O.
 */
import type { Translate } from './errorMessages';
import type { ChatMessage } from './openai';

/** Code or a file attached to a question. */
export interface ContextBlock {
  /** Shown to the user and the model, for example `app.ts:10-24`. */
  label: string;
  /** The editor's language id, for the code fence. */
  language: string;
  text: string;
  /** The 1-based line of the file where `text` starts, when it comes from a file. */
  firstLine?: number;
  /** Never shortened to fit the context window (the code a rewrite replaces). */
  fixed?: boolean;
}

/** A finished exchange that later questions build on. */
export interface HistoryTurn {
  question: string;
  context: ContextBlock[];
  answer: string;
  /** The model's thinking; it stands for the answer when the model put its whole reply there. */
  reasoning?: string;
}

/** A fence longer than any backtick run inside the text, so the text cannot close it early. */
export function fenceFor(text: string): string {
  const longest = Math.max(2, ...Array.from(text.matchAll(/`+/g), (m) => m[0].length));
  return '`'.repeat(longest + 1);
}

/** The user message for a question with its attached context, context first. */
export function userContent(question: string, context: ContextBlock[]): string {
  if (context.length === 0) return question;
  const blocks = context.map((block) => {
    const fence = fenceFor(block.text);
    return `${block.label}:\n${fence}${block.language}\n${block.text}\n${fence}`;
  });
  return `${blocks.join('\n\n')}\n\n${question}`;
}

/**
 * The messages for a new question: the system prompt first (when set), then earlier exchanges
 * that produced an answer, then the question. An exchange whose model answered only in its
 * reasoning field is sent with that reasoning as the answer: it is what the user saw.
 */
export function buildMessages(
  systemPrompt: string,
  history: HistoryTurn[],
  question: string,
  context: ContextBlock[],
): ChatMessage[] {
  const messages: ChatMessage[] = [];
  if (systemPrompt.trim()) messages.push({ role: 'system', content: systemPrompt });
  for (const turn of history) {
    const answer = turn.answer || turn.reasoning;
    if (!answer) continue;
    messages.push({ role: 'user', content: userContent(turn.question, turn.context) });
    messages.push({ role: 'assistant', content: answer });
  }
  messages.push({ role: 'user', content: userContent(question, context) });
  return messages;
}

/** Code the user selected, with where it comes from. */
export interface Selection {
  code: string;
  language: string;
  fileName: string;
  /** 1-based first and last line of the selection. */
  startLine: number;
  endLine: number;
  /** A few lines before and after, when the selection is small; empty otherwise. */
  before: string;
  after: string;
}

/** Selections shorter than this many lines get their surroundings sent along. */
export const SMALL_SELECTION_LINES = 8;
/** How many lines before and after a small selection are sent. */
export const SURROUNDING_LINES = 5;

/** Label of a selection, for example `app.ts:10-24`. */
export function selectionLabel(selection: Pick<Selection, 'fileName' | 'startLine' | 'endLine'>): string {
  const lines =
    selection.startLine === selection.endLine
      ? `${selection.startLine}`
      : `${selection.startLine}-${selection.endLine}`;
  return `${selection.fileName}:${lines}`;
}

/** The context blocks of a selection: the code, then its surroundings when they were taken. */
export function selectionContext(selection: Selection): ContextBlock[] {
  const blocks: ContextBlock[] = [
    {
      label: selectionLabel(selection),
      language: selection.language,
      text: selection.code,
      firstLine: selection.startLine,
    },
  ];
  if (selection.before || selection.after) {
    const surrounding = [selection.before, '<<< the selected code is here >>>', selection.after]
      .filter((part) => part !== '')
      .join('\n');
    blocks.push({
      label: `Lines around it in ${selection.fileName}, for context only`,
      language: selection.language,
      text: surrounding,
    });
  }
  return blocks;
}

/** The question that asks for a rewrite of a selection; the answer must be code only. */
export function rewriteQuestion(selection: Selection, instruction: string): string {
  const task =
    instruction.trim() || 'Improve this code: make it clearer and more robust without changing what it does.';
  const rules =
    `Rewrite the selected ${selection.language} code from ${selection.fileName} as asked. ` +
    'Answer with the complete replacement for the selection only, in a single fenced code block, with no explanation before or after it. ' +
    'Keep the indentation of the original.';
  return `${rules}\n\nRequest: ${task}`;
}

/** The question that asks for an explanation of a selection (the panel, inline, and `@genos /explain`). */
export function explainQuestion(selection: Selection, t: Translate): string {
  return t(
    'Explain the selected {0} code in {1}: what it does, how it works, and anything surprising or risky in it. Be concise.',
    selection.language,
    selection.fileName,
  );
}

/** What a continuation asks, after the answer so far (which stopped at the token limit). */
export const CONTINUE =
  'Continue exactly where your previous answer stopped. Do not repeat anything; do not start over.';

/** A rules file's text, as it goes into the system prompt. */
export interface RuleText {
  /** Where it comes from, as the user sees it (`AGENTS.md`, `.github/instructions/ts.instructions.md`). */
  label: string;
  text: string;
}

/** The system prompt with the repository's rules after it, each under its file's name. */
export function withRules(system: string, rules: readonly RuleText[]): string {
  if (rules.length === 0) return system;
  const sections = rules.map((rule) => `## ${rule.label}\n${rule.text.trim()}`);
  const head =
    "# The team's rules for this repository\nFollow these rules, written by the repository's team, when you write or explain code.";
  return [system.trim(), head, ...sections].filter(Boolean).join('\n\n');
}

/** What the agent is told of its situation (the user's own system prompt and the tools follow). */
export interface AgentPromptOptions {
  /** The workspace folders' names. */
  folders: string[];
  /** Restricted Mode: only the reading tools are offered. */
  readOnly: boolean;
  /** The user's `genos.systemPrompt`. */
  system: string;
  /** The text protocol's description of the tools, for servings without tool calling. */
  toolProtocol?: string;
}

/** The system prompt of an agent turn. */
export function agentSystemPrompt(options: AgentPromptOptions): string {
  const parts = [
    "You are a coding agent working in the user's workspace in VS Code" +
      (options.folders.length ? ` (folders: ${options.folders.join(', ')}).` : '.'),
    'Use the tools to look before you change anything: read the files you edit, search for the places a change affects. ' +
      'Paths are relative to the workspace folder. Make the smallest change that does the task, then check it ' +
      '(problems, or a command that builds or tests) when you can.',
    options.readOnly
      ? 'The workspace is in Restricted Mode: you can only read. Say what you would change instead of changing it.'
      : 'Every edit and command is shown to the user, who may reject it; when a tool result says so, do not try the same thing again, ask or do something else.',
    'When the task is done, or you need the user, answer in plain text without a tool call. Answer in the language of the user.',
  ];
  if (options.system.trim()) parts.push(options.system.trim());
  if (options.toolProtocol) parts.push(options.toolProtocol);
  return parts.join('\n\n');
}

/**
 * The code in a model's answer: the fenced block (the longest, if there are several; an unclosed
 * one when the stream stopped inside it), or the whole answer when there is no fence. A leading
 * `<think>` section is dropped. The result ends with a newline exactly when `original` does.
 */
export function extractCode(answer: string, original: string): string {
  const text = answer.replace(/^\s*<think>[\s\S]*?<\/think>\s*/, '');
  const blocks: string[] = [];
  const fence = /^( {0,3})(`{3,}|~{3,})[^\n`]*\n([\s\S]*?)(?:^ {0,3}\2[`~]*[ \t]*$|(?![\s\S]))/gm;
  for (const match of text.matchAll(fence)) blocks.push(match[3]);
  let code = blocks.length > 0 ? blocks.reduce((a, b) => (b.length > a.length ? b : a)) : text.trim();
  code = code.replace(/\n+$/, '');
  return original.endsWith('\n') ? `${code}\n` : code;
}

/** A prompt format: one of the FIM token sets, or a short instruction through the chat API. */
export type PromptFormat = 'qwen' | 'deepseek' | 'starcoder' | 'codellama' | 'codestral' | 'chat';

/** The `genos.completion.promptFormat` setting: a format, or `auto` to choose one from the model id. */
export type PromptFormatSetting = PromptFormat | 'auto';

export const PROMPT_FORMATS: readonly PromptFormatSetting[] = [
  'auto',
  'qwen',
  'deepseek',
  'starcoder',
  'codellama',
  'codestral',
  'chat',
];

/** The code around the cursor, and where it comes from. */
export interface CursorContext {
  /** Text before the cursor (within the budget). */
  prefix: string;
  /** Text after the cursor (within the budget). */
  suffix: string;
  /** The editor's language id, for example `typescript`. */
  language: string;
  /** The file's path relative to the workspace, with `/` separators. */
  path: string;
}

/** What to send to `/v1/completions`. */
export interface FimPrompt {
  format: Exclude<PromptFormat, 'chat'>;
  prompt: string;
  stop: string[];
}

/** What to send to `/v1/chat/completions` for a serving with only a chat model. */
export interface ChatCompletionPrompt {
  format: 'chat';
  messages: ChatMessage[];
  stop: string[];
}

/** The format for a model id: a known code-model family's FIM tokens, else the chat instruction. */
export function formatForModel(model: string): PromptFormat {
  const id = model.toLowerCase();
  if (/qwen/.test(id)) return 'qwen';
  if (/deepseek/.test(id)) return 'deepseek';
  if (/starcoder|starchat|stable-?code/.test(id)) return 'starcoder';
  if (/code-?llama/.test(id)) return 'codellama';
  if (/codestral|devstral/.test(id)) return 'codestral';
  return 'chat';
}

/** The marker the chat format puts where the completion goes. */
export const CURSOR_MARKER = '<CURSOR>';

/** Builds the prompt for `format` (resolving `auto` from `model`). */
export function buildCompletionPrompt(
  setting: PromptFormatSetting,
  model: string,
  context: CursorContext,
): FimPrompt | ChatCompletionPrompt {
  const format = setting === 'auto' ? formatForModel(model) : setting;
  const { prefix, suffix } = context;
  switch (format) {
    case 'qwen':
      return {
        format,
        prompt: `<|fim_prefix|>${prefix}<|fim_suffix|>${suffix}<|fim_middle|>`,
        stop: [
          '<|endoftext|>',
          '<|fim_prefix|>',
          '<|fim_suffix|>',
          '<|fim_middle|>',
          '<|fim_pad|>',
          '<|file_sep|>',
          '<|repo_name|>',
          '<|im_end|>',
        ],
      };
    case 'deepseek':
      return {
        format,
        prompt: `<｜fim▁begin｜>${prefix}<｜fim▁hole｜>${suffix}<｜fim▁end｜>`,
        stop: ['<｜fim▁begin｜>', '<｜fim▁hole｜>', '<｜fim▁end｜>', '<｜end▁of▁sentence｜>', '<|EOT|>'],
      };
    case 'starcoder':
      // StarCoder was trained with the file name before the FIM tokens.
      return {
        format,
        prompt: `<filename>${context.path}\n<fim_prefix>${prefix}<fim_suffix>${suffix}<fim_middle>`,
        stop: ['<|endoftext|>', '<fim_prefix>', '<fim_suffix>', '<fim_middle>', '<file_sep>', '<filename>'],
      };
    case 'codellama':
      return {
        format,
        prompt: `<PRE> ${prefix} <SUF>${suffix} <MID>`,
        stop: ['<EOT>', '<PRE>', '<SUF>', '<MID>', '</s>'],
      };
    case 'codestral':
      return {
        format,
        prompt: `[SUFFIX]${suffix}[PREFIX]${prefix}`,
        stop: ['[PREFIX]', '[SUFFIX]', '[MIDDLE]', '</s>'],
      };
    case 'chat':
      return {
        format,
        messages: [
          {
            role: 'system',
            content:
              `You complete code. Reply with only the text that belongs at ${CURSOR_MARKER}: no explanation, no code fence, ` +
              'nothing that is already before or after it. Reply with nothing if nothing fits.',
          },
          { role: 'user', content: `File ${context.path} (${context.language}):\n${prefix}${CURSOR_MARKER}${suffix}` },
        ],
        stop: [],
      };
  }
}
