/**
 * A fast token estimate that is not tuned to English alone: common tokenizers (Qwen, Llama,
 * Gemma) spend about one token per Hangul syllable or CJK character, about four characters of
 * English prose per token, and fewer characters per token in code, where punctuation and
 * indentation split words. The host corrects it per serving from the server's own counts.
 * Used by the host (budgets) and the webview (the gauge), so it depends on nothing.
 */

/** Tokens every chat message costs beyond its text (role and separators). */
export const MESSAGE_OVERHEAD = 4;

/** Estimated tokens of `text`. One pass over the characters, no allocation. */
export function estimateTokens(text: string): number {
  let tokens = 0;
  let wordChars = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (
      (code >= 0x30 && code <= 0x39) ||
      (code >= 0x41 && code <= 0x5a) ||
      (code >= 0x61 && code <= 0x7a) ||
      code === 0x5f
    ) {
      wordChars++;
      continue;
    }
    // A run of letters and digits: about four characters a token, at least one.
    if (wordChars) {
      tokens += Math.ceil(wordChars / 4);
      wordChars = 0;
    }
    if (code === 0x20) continue; // A space mostly joins the next word's token.
    if (code === 0x0a || code === 0x09) {
      tokens += 0.5;
    } // Newlines and tabs, often merged with indentation.
    else if (code < 0x80) {
      tokens += 0.75;
    } // Punctuation and symbols: code is dense with them.
    else if (
      (code >= 0xac00 && code <= 0xd7a3) ||
      (code >= 0x3040 && code <= 0x30ff) ||
      (code >= 0x4e00 && code <= 0x9fff)
    ) {
      tokens += 1;
    } // Hangul syllables, kana, CJK.
    else if (code >= 0xd800 && code <= 0xdbff) {
      tokens += 1.5; // A surrogate pair (emoji, rare CJK): its two halves are one character.
      i++;
    } else tokens += 0.6; // Other scripts and Hangul jamo.
  }
  if (wordChars) tokens += Math.ceil(wordChars / 4);
  return Math.ceil(tokens);
}

/** Estimated tokens of chat messages, with each message's overhead. */
export function estimateMessages(messages: ReadonlyArray<{ content: string }>): number {
  let total = 0;
  for (const message of messages) total += estimateTokens(message.content) + MESSAGE_OVERHEAD;
  return total;
}
