/**
 * Markdown to safe HTML for model output, which is untrusted text: markdown-it with raw HTML
 * turned off (it is shown as text), then DOMPurify, so nothing in an answer can run as script.
 */
import DOMPurify from 'dompurify';
import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import c from 'highlight.js/lib/languages/c';
import cpp from 'highlight.js/lib/languages/cpp';
import csharp from 'highlight.js/lib/languages/csharp';
import css from 'highlight.js/lib/languages/css';
import diff from 'highlight.js/lib/languages/diff';
import go from 'highlight.js/lib/languages/go';
import java from 'highlight.js/lib/languages/java';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import kotlin from 'highlight.js/lib/languages/kotlin';
import markdownLang from 'highlight.js/lib/languages/markdown';
import php from 'highlight.js/lib/languages/php';
import python from 'highlight.js/lib/languages/python';
import rust from 'highlight.js/lib/languages/rust';
import shell from 'highlight.js/lib/languages/shell';
import sql from 'highlight.js/lib/languages/sql';
import typescript from 'highlight.js/lib/languages/typescript';
import xml from 'highlight.js/lib/languages/xml';
import yaml from 'highlight.js/lib/languages/yaml';
import MarkdownIt from 'markdown-it';

const languages = {
  bash,
  c,
  cpp,
  csharp,
  css,
  diff,
  go,
  java,
  javascript,
  json,
  kotlin,
  markdown: markdownLang,
  php,
  python,
  rust,
  shell,
  sql,
  typescript,
  xml,
  yaml,
};
for (const [name, language] of Object.entries(languages)) hljs.registerLanguage(name, language);

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

const md = new MarkdownIt({
  html: false,
  linkify: true,
  breaks: false,
  // Code goes through as plain text, to be highlighted once sanitized (see renderMarkdown): only
  // named languages, as guessing one for every block costs more than it gives while streaming.
  highlight(code, lang) {
    const language = codeLanguage(lang);
    const named = canHighlight(language) ? ` class="language-${escapeHtml(language)}"` : '';
    return `<pre class="hljs"><code${named}>${escapeHtml(code)}</code></pre>`;
  },
});

// Set once, not passed per call: DOMPurify parses a config given with each call again (a copy of
// every allow-list), which while streaming was a third of its cost. Nodes come back as a fragment,
// so the sanitized markup is not serialized and parsed a second time.
DOMPurify.setConfig({
  USE_PROFILES: { html: true },
  FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'iframe', 'object', 'embed'],
  FORBID_ATTR: ['style', 'srcset'],
  // A list's first number (`3. item`): without it an ordered list cut by a blank line starts again
  // at 1. Its value is a number, not an address (DOMPurify would hold it to ALLOWED_URI_REGEXP).
  ADD_ATTR: ['start'],
  ADD_URI_SAFE_ATTR: ['start'],
  ALLOWED_URI_REGEXP: /^(?:https?:|mailto:|#)/i,
  RETURN_DOM_FRAGMENT: true,
});

/**
 * What rendering one part of an answer learns for the others: the link reference definitions
 * (`[label]: url`) found so far, which markdown-it keeps in `references`.
 */
export type MarkdownEnv = NonNullable<Parameters<typeof md.render>[1]>;

/** How many reference definitions an environment holds. */
export function referenceCount(env: MarkdownEnv): number {
  return env.references ? Object.keys(env.references).length : 0;
}

/**
 * Renders markdown to sanitized nodes, to be put in the page as they are. Reference links
 * (`[text][label]`) resolve against the definitions in `env`, and definitions found in `text` are
 * added to it.
 */
export function renderMarkdown(text: string, env: MarkdownEnv = {}): DocumentFragment {
  const nodes = DOMPurify.sanitize(md.render(text, env)) as unknown as DocumentFragment;
  // Highlighted after sanitizing, by highlightCode's own check: highlight.js writes a span per
  // token, which cost DOMPurify far more to parse and walk than the markdown around them.
  const blocks = nodes.querySelectorAll<HTMLElement>('pre > code[class^="language-"]');
  for (let i = 0; i < blocks.length; i++) {
    const code = blocks[i];
    const highlighted = highlightCode(code.textContent ?? '', code.className.slice('language-'.length));
    if (highlighted) code.replaceChildren(highlighted.nodes);
  }
  return nodes;
}

/** The language a fence's info string names (` ```TypeScript title="a.ts"` → `typescript`). */
export function codeLanguage(info: string): string {
  return info.trim().split(/\s+/)[0].toLowerCase();
}

/** Whether code in `language` (as {@link codeLanguage} names it) is highlighted. */
export function canHighlight(language: string): boolean {
  return !!language && !!hljs.getLanguage(language);
}

/** Code highlighted: what to put inside `<code>`, and how the highlighter ended. */
export interface Highlighted {
  nodes: DocumentFragment;
  /**
   * The code ended inside a construct that goes on (a comment or string across lines): code after
   * it, highlighted on its own, starts outside it and may be coloured unlike the whole.
   */
  open: boolean;
}

/**
 * `code` highlighted in `language`; undefined for a language without a highlighter, or if the
 * highlighter's markup holds anything but its own spans (the caller keeps the plain text).
 *
 * highlight.js escapes the code and adds only `<span class="…">`, so its markup is checked for
 * exactly that instead of going through DOMPurify, whose parse, walk and serialization (and the
 * page's second parse) were most of a streamed code block's cost.
 */
export function highlightCode(code: string, language: string): Highlighted | undefined {
  if (!canHighlight(language)) return undefined;
  let result: ReturnType<typeof hljs.highlight> & { _top?: unknown };
  try {
    result = hljs.highlight(code, { language, ignoreIllegals: true });
  } catch {
    return undefined;
  }
  const nodes = onlySpans(result.value);
  // `_top` is the mode the highlighter ended in; unknown counts as open (the safe side).
  return nodes && { nodes, open: result._top !== hljs.getLanguage(language) };
}

/**
 * A `<` that does not start the only tags highlight.js writes: `<span class="…">` (its class names
 * are words, `-`, `_` and spaces) and `</span>`. Everything else it writes is escaped text.
 */
const NOT_HIGHLIGHTER_MARKUP = /<(?!span class="[\w -]*">|\/span>)/;

/**
 * `html` as nodes, if it is text and class-only spans; otherwise undefined. Checked on the string,
 * before parsing: text without `<` cannot make an element, and those two tags make only spans with
 * a class, so nothing else can come out of the parse. (Checking the parsed elements instead made a
 * script object for each of the block's many spans, which the garbage collector then had to trace.)
 * Parsed in a template, an inert document where nothing loads or runs.
 */
export function onlySpans(html: string): DocumentFragment | undefined {
  if (NOT_HIGHLIGHTER_MARKUP.test(html)) return undefined;
  const template = document.createElement('template');
  template.innerHTML = html;
  return template.content;
}

/** Small samples that exercise the markdown, sanitizer and common highlighters once. */
const WARM_UP = [
  '# h\n\n- **b** _i_ `c` [l](https://example.com)\n\n> q\n\n| a | b |\n|---|---|\n| 1 | 2 |',
  '```typescript\nexport async function f(a: string): Promise<number> { return a.length; }\n```',
  '```python\ndef f(a: str) -> int:\n    return len(a)  # c\n```',
  '```javascript\nconst f = (a) => a?.length ?? 0;\n```',
  '```java\npublic class A { int f(String a) { return a.length(); } }\n```',
  '```bash\nfor f in *.txt; do echo "$f"; done\n```',
  '```json\n{"a": [1, true, null]}\n```',
];

/**
 * A page of ordinary code, highlighted a few times while idle: highlight.js runs its tokenizer on
 * real-sized input only once the first answer's code arrives, and its first segments cost several
 * times what later ones do until the engine has optimized that path.
 */
const WARM_UP_CODE = `import { readFile } from 'node:fs/promises';

/** Settings read once, then kept. */
export interface Settings {
  readonly address: string;
  retries?: number; // how often to try again
}

export class Store<T extends object> {
  private readonly items = new Map<string, T>();

  constructor(private readonly path: string) {}

  async load(): Promise<number> {
    const text = await readFile(this.path, 'utf8');
    for (const [key, value] of Object.entries(JSON.parse(text) as Record<string, T>)) {
      if (!/^[a-z][\\w-]*$/i.test(key)) throw new Error(\`bad key: \${key}\`);
      this.items.set(key, value);
    }
    return this.items.size > 0 ? this.items.size : -1;
  }

  /* Every key, sorted. */
  keys(): string[] {
    return [...this.items.keys()].sort((a, b) => a.localeCompare(b));
  }
}
`;

/**
 * Compiles the rendering paths while the panel is idle, one sample per idle slice, so the first
 * frames of the first answer are not slowed by first-use compilation. `layOut`, given last, lays
 * a sample out off screen, which also loads the fonts (Korean among them) text shaping needs.
 */
export function warmUpWhenIdle(layOut?: (sample: string) => void): void {
  const steps: Array<() => void> = WARM_UP.map((sample) => () => void renderMarkdown(sample));
  for (let i = 0; i < 4; i++) steps.push(() => void highlightCode(WARM_UP_CODE, 'typescript'));
  if (layOut) {
    steps.push(() => layOut(`## 준비\n\n한국어 문장과 **굵은 글씨**, \`코드\`.\n\n${WARM_UP[1]}\n\n${WARM_UP[2]}\n`));
  }
  const next = (index: number) => {
    if (typeof requestIdleCallback !== 'function') return;
    if (index >= steps.length) {
      // Said on the page, for the benchmark to start when the panel is warm.
      document.documentElement.dataset.warm = '';
      return;
    }
    requestIdleCallback(() => {
      steps[index]();
      next(index + 1);
    });
  };
  next(0);
}
