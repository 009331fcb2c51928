/** What fitting a request into the window costs: the token estimate and a whole budgeted request. */
import type { HistoryTurn } from '../src/client/prompts';
import { fitToWindow } from '../src/host/requests/contextBudget';
import { estimateTokens } from '../src/shared/tokens';

export interface ContextFigures {
  /** Estimating 100 KB of mixed Korean, English and code. */
  estimatePer100KbMs: number;
  /** Building the request of a 60-turn conversation with 5 attached files (about 20 KB each). */
  requestMs: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export function measureContext(): ContextFigures {
  const unit =
    '이 함수는 입력을 검사한 뒤 결과를 돌려줍니다. The function checks its input and returns a result.\nconst value = items.map((item) => item.price * 2).filter(Boolean);\n';
  const text = unit.repeat(Math.ceil(100_000 / Buffer.byteLength(unit))).slice(0, 60_000);
  const history: HistoryTurn[] = Array.from({ length: 60 }, (_, i) => ({
    question: `${i}번째 질문: ${unit.repeat(3)}`,
    context: [],
    answer: `${i}번째 답변: ${unit.repeat(8)}`,
  }));
  const files = Array.from({ length: 5 }, (_, f) => ({
    label: `src/file${f}.ts`,
    language: 'typescript',
    text: Array.from({ length: 600 }, (_, i) => `export const value${i} = compute(${i}, "${f}");`).join('\n'),
    firstLine: 1,
  }));
  const parts = {
    system: 'You are a helpful coding assistant.',
    history,
    question: '이 파일들을 요약해 주세요.',
    context: files,
  };
  // Warm up, then time many runs of each.
  for (let i = 0; i < 20; i++) {
    estimateTokens(text);
    fitToWindow(parts, { window: 32768, reserve: 1024, factor: 1.1 });
  }
  const estimates: number[] = [];
  const requests: number[] = [];
  for (let i = 0; i < 50; i++) {
    let started = performance.now();
    estimateTokens(text);
    estimates.push(((performance.now() - started) * 100_000) / Buffer.byteLength(text));
    started = performance.now();
    fitToWindow(parts, { window: 32768, reserve: 1024, factor: 1.1 });
    requests.push(performance.now() - started);
  }
  return { estimatePer100KbMs: median(estimates), requestMs: median(requests) };
}

// Run as a process of its own by the bench (contextSample in run.ts): prints one run's figures.
if (require.main === module) process.stdout.write(JSON.stringify(measureContext()));
