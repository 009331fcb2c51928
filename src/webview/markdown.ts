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

const PURIFY: DOMPurify.Config = {
  USE_PROFILES: { html: true },
  FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'iframe', 'object', 'embed'],
  FORBID_ATTR: ['style', 'srcset'],
  ALLOWED_URI_REGEXP: /^(?:https?:|mailto:|#)/i,
};

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
 * Renders markdown to sanitized HTML. Reference links (`[text][label]`) resolve against the
 * definitions in `env`, and definitions found in `text` are added to it.
 */
export function renderMarkdown(text: string, env: MarkdownEnv = {}): string {
  return DOMPurify.sanitize(md.render(text, env), PURIFY) as string;
}

/** The language a fence's info string names (` ```TypeScript title="a.ts"` → `typescript`). */
export function codeLanguage(info: string): string {
  return info.trim().split(/\s+/)[0].toLowerCase();
}

/**
 * Highlighted, sanitized HTML for `code` in `language`, as the markdown renderer would put inside
 * `<code>`; undefined for a language without a highlighter (the caller shows plain text).
 */
export function highlightCode(code: string, language: string): string | undefined {
  if (!language || !hljs.getLanguage(language)) return undefined;
  try {
    return DOMPurify.sanitize(hljs.highlight(code, { language, ignoreIllegals: true }).value, PURIFY) as string;
  } catch {
    return undefined;
  }
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
