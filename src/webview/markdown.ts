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

const languages = { bash, c, cpp, csharp, css, diff, go, java, javascript, json, kotlin, markdown: markdownLang, php, python, rust, shell, sql, typescript, xml, yaml };
for (const [name, language] of Object.entries(languages)) hljs.registerLanguage(name, language);

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

const md = new MarkdownIt({
  html: false,
  linkify: true,
  breaks: false,
  highlight(code, lang) {
    const language = codeLanguage(lang);
    // Only named languages: guessing one for every block costs more than it gives while streaming.
    if (language && hljs.getLanguage(language)) {
      try {
        return `<pre class="hljs"><code class="language-${escapeHtml(language)}">${hljs.highlight(code, { language, ignoreIllegals: true }).value}</code></pre>`;
      } catch {
        // Fall through to plain text.
      }
    }
    return `<pre class="hljs"><code>${escapeHtml(code)}</code></pre>`;
  },
});

// Set once, not passed per call: DOMPurify parses a config given with each call again (a copy of
// every allow-list), which while streaming was a third of its cost. Nodes come back as a fragment,
// so the sanitized markup is not serialized and parsed a second time.
DOMPurify.setConfig({
  USE_PROFILES: { html: true },
  FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'iframe', 'object', 'embed'],
  FORBID_ATTR: ['style', 'srcset'],
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
  return DOMPurify.sanitize(md.render(text, env)) as unknown as DocumentFragment;
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
 * exactly that instead of going through DOMPurify: parsed in a template (an inert document: nothing
 * in it loads or runs), then accepted only if every element is a span with no attribute but
 * `class`. The check costs a walk over the spans, where DOMPurify parsed a document, walked it and
 * serialized it, for the page to parse it again: most of a streamed code block's cost.
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

/** `html` parsed inertly, if it is text and class-only spans; otherwise undefined. */
export function onlySpans(html: string): DocumentFragment | undefined {
  const template = document.createElement('template');
  template.innerHTML = html;
  const elements = template.content.querySelectorAll('*');
  for (let i = 0; i < elements.length; i++) {
    const element = elements[i];
    if (element.tagName !== 'SPAN') return undefined;
    if (element.attributes.length !== (element.hasAttribute('class') ? 1 : 0)) return undefined;
  }
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
 * Compiles the rendering paths while the panel is idle, one sample per idle slice, so the first
 * frames of the first answer are not slowed by first-use compilation. `layOut`, given last, lays
 * a sample out off screen, which also loads the fonts (Korean among them) text shaping needs.
 */
export function warmUpWhenIdle(layOut?: (sample: string) => void): void {
  const steps: Array<() => void> = WARM_UP.map((sample) => () => void renderMarkdown(sample));
  if (layOut) steps.push(() => layOut(`## 준비\n\n한국어 문장과 **굵은 글씨**, \`코드\`.\n\n${WARM_UP[1]}\n\n${WARM_UP[2]}\n`));
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
