/**
 * Code completion at the cursor: fill-in-the-middle prompts in the formats code models are trained
 * on (vLLM's `/v1/completions` rejects `suffix`, so the client builds the prompt), and the clean-up
 * of what the model returns. Plain functions, no I/O.
 */
import type { ChatMessage } from './openai';

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

/** Where the text after the cursor on its line allows a suggestion: nothing, or only closers. */
export function allowsCompletion(restOfLine: string): boolean {
  return /^[\s)\]}'"`;,.:>]*$/.test(restOfLine);
}

/**
 * Makes a model's text fit at the cursor: the chat format's stray fence and marker are dropped,
 * a single line is kept when `multiline` is false (text follows the cursor on its line), trailing
 * blank lines go, and what already follows the cursor is not repeated: the closers after the
 * cursor on its line, and whole lines the suffix already starts with.
 */
export function fitCompletion(
  text: string,
  context: Pick<CursorContext, 'prefix' | 'suffix'>,
  multiline: boolean,
): string {
  let result = text.replace(/\r\n/g, '\n');
  const fenced = /^\s*```[^\n]*\n([\s\S]*?)(?:\n```\s*)?$/.exec(result);
  if (fenced) result = fenced[1];
  result = result.split(CURSOR_MARKER).join('');
  if (!multiline) result = result.split('\n')[0];
  result = result.replace(/\s+$/, (space) => (space.includes('\n') ? '' : space));
  if (!result.trim()) return '';

  const suffixLines = context.suffix.split('\n');
  const restOfLine = suffixLines[0];
  // Whole lines the suffix already has (the closing brace of the block, say) are not repeated.
  if (multiline) {
    const lines = result.split('\n');
    const following = suffixLines.slice(1).filter((line) => line.trim() !== '');
    let drop = 0;
    for (let m = Math.min(lines.length - 1, following.length); m > 0; m--) {
      const tail = lines.slice(-m).map((line) => line.trim());
      if (tail.every((line, i) => line !== '' && line === following[i].trim())) {
        drop = m;
        break;
      }
    }
    if (drop > 0) result = lines.slice(0, -drop).join('\n');
  }
  // The closers after the cursor (a quote, a bracket, a semicolon) are not typed twice: a
  // completion that ends with them, unbalanced, repeats what the line already has.
  const closers = restOfLine.trim();
  if (closers) {
    const lastNewline = result.lastIndexOf('\n');
    const last = result.slice(lastNewline + 1).trimEnd();
    for (let k = closers.length; k > 0; k--) {
      const candidate = closers.slice(0, k);
      if (last.endsWith(candidate) && repeatsClosers(result, candidate)) {
        result = result.slice(0, lastNewline + 1) + last.slice(0, last.length - k);
        break;
      }
    }
  }
  return result.trim() ? result : '';
}

const OPENER: Record<string, string> = { ')': '(', ']': '[', '}': '{' };

/** True when each bracket in `closers` closes nothing opened in `text`, and each quote is unpaired there. */
function repeatsClosers(text: string, closers: string): boolean {
  const count = (ch: string) => text.split(ch).length - 1;
  for (const ch of new Set(closers)) {
    if (ch in OPENER && count(ch) <= count(OPENER[ch])) return false;
    if (/['"`]/.test(ch) && count(ch) % 2 === 0) return false;
  }
  return true;
}
