import type { TurnView } from '../src/shared/protocol';

/** A long markdown answer like a model's: prose, lists and many fenced code blocks, Korean and English. */
export function longAnswer(targetBytes: number): string {
  const parts: string[] = [];
  let size = 0;
  for (let i = 0; size < targetBytes; i++) {
    const section = [
      `## ${i + 1}. 파일 처리 예제 (File handling example ${i + 1})`,
      '',
      `이 절에서는 **파일을 안전하게** 읽고 쓰는 방법을 설명합니다. This section explains how to read and write files safely, with \`try\`/\`finally\` and context managers, step ${i + 1}.`,
      '',
      '- 파일은 항상 닫아야 합니다. Always close files.',
      '- 인코딩을 명시하세요: `encoding="utf-8"`.',
      '- 큰 파일은 한 줄씩 읽습니다.',
      '',
      i % 2 === 0 ? '```python' : '```ts',
      ...(i % 2 === 0
        ? [
            'def read_lines(path: str) -> list[str]:',
            '    with open(path, encoding="utf-8") as f:',
            '        return [line.rstrip("\\n") for line in f]',
            '',
            `print(read_lines("data_${i}.txt"))`,
          ]
        : [
            'import { readFile } from "node:fs/promises";',
            '',
            `export async function load${i}(path: string): Promise<string[]> {`,
            '  const text = await readFile(path, "utf8");',
            '  return text.split("\\n").filter((line) => line.length > 0);',
            '}',
          ]),
      '```',
      '',
      `> 참고: 예제 ${i + 1}은 오류 처리를 단순화했습니다.`,
      '',
    ].join('\n');
    parts.push(section);
    size += Buffer.byteLength(section) + 1;
  }
  return parts.join('\n');
}

/** One fenced code block of about `targetBytes`, as a model writing a whole file would answer. */
export function longCodeBlock(targetBytes: number): string {
  const lines = ['```typescript'];
  let size = 0;
  for (let i = 0; size < targetBytes; i++) {
    const line =
      i % 30 === 0
        ? `export function handler${i}(request: Request): Response {`
        : i % 30 === 29
          ? '}'
          : `  const field${i} = request.headers.get("x-field-${i}") ?? "기본값 ${i}"; // ${i}`;
    lines.push(line);
    size += Buffer.byteLength(line) + 1;
  }
  lines.push('```');
  return lines.join('\n');
}

/** A saved conversation of `count` turns with about `totalBytes` of code-heavy answers. */
export function savedConversation(count: number, totalBytes: number): TurnView[] {
  return Array.from({ length: count }, (_, t) => {
    // Every fifth answer is one big file; the others mix prose and smaller blocks.
    const answer =
      t % 5 === 4
        ? `파일 전체입니다 (the whole file):\n\n${longCodeBlock((totalBytes / count) * 2)}\n\n끝.`
        : longAnswer((totalBytes / count) * 0.75);
    return {
      id: `saved${t}`,
      question: `질문 ${t}: 이 코드를 설명해 주세요`,
      context: [],
      answer,
      reasoning: '',
      status: 'done' as const,
      model: 'Qwen3-8B',
    };
  });
}

/** One long bullet list of about `targetBytes`, as a model listing every finding would answer. */
export function longList(targetBytes: number): string {
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < targetBytes; i++) {
    const line = `- 항목 ${i + 1}: \`handler${i}\`에서 **입력 검증**이 빠졌습니다 (missing input validation in [handler${i}](https://example.com/src/h${i}.ts))`;
    lines.push(line);
    size += Buffer.byteLength(line) + 1;
  }
  return lines.join('\n');
}

/** One long table of about `targetBytes`, as a model comparing many items would answer. */
export function longTable(targetBytes: number): string {
  const lines = ['| # | 파일 (file) | 문제 (issue) | 심각도 |', '| ---: | --- | --- | :---: |'];
  let size = 0;
  for (let i = 0; size < targetBytes; i++) {
    const line = `| ${i + 1} | \`src/h${i}.ts\` | 입력 검증 누락 (missing *validation*) | ${i % 3 === 0 ? '높음' : '보통'} |`;
    lines.push(line);
    size += Buffer.byteLength(line) + 1;
  }
  return lines.join('\n');
}
