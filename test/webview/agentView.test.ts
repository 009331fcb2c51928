import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import type { StepView, TurnView } from '../../src/shared/protocol';
import { launchChromium } from '../runner/codeServer';
import { init, openWebview } from './harness';

let browser: Browser;
before(async () => {
  browser = await launchChromium();
});
after(() => browser.close());

const turn = (id: string, extra: Partial<TurnView> = {}): TurnView => ({
  id,
  question: 'Rename it',
  context: [],
  answer: '',
  reasoning: '',
  status: 'streaming',
  mode: 'agent',
  ...extra,
});

const hostile = '<img src=x onerror="window.__xss=1">';

describe('agent mode in the chat webview', () => {
  it('switches modes, and says in Agent mode when the workspace is restricted', async () => {
    const view = await openWebview(browser);
    const { page } = view;
    await view.host(init({ readOnly: true }));
    assert.equal(await page.locator('.mode.ask').getAttribute('aria-pressed'), 'true');
    assert.ok(await page.locator('.read-only').isHidden());
    await page.locator('.mode.agent').click();
    assert.deepEqual((await view.posted()).at(-1), { type: 'setMode', mode: 'agent' });
    await view.host({ type: 'mode', mode: 'agent' });
    assert.equal(await page.locator('.mode.agent').getAttribute('aria-pressed'), 'true');
    assert.ok(await page.locator('.read-only').isVisible());
    await page.close();
  });

  it('shows a step that asks, with its diff as text; Apply answers that step once', async () => {
    const view = await openWebview(browser);
    const { page } = view;
    await view.host(init({ mode: 'agent' }));
    await view.host({ type: 'turnStarted', turn: turn('t1') });
    const step: StepView = {
      id: 's1',
      tool: 'edit_file',
      subject: `src/${hostile}.ts`,
      status: 'asking',
      ask: 'edit',
      diff: `@@ line 1 @@\n- const a = 1;\n+ const a = 2; ${hostile}`,
    };
    await view.host({ type: 'step', requestId: 't1', step });
    const card = page.locator('.step[data-step="s1"]');
    assert.equal(await card.locator('.step-title').textContent(), `Edit src/${hostile}.ts`);
    assert.equal(await card.locator('.step-ask').textContent(), 'The agent proposes this edit.');
    assert.deepEqual(await card.locator('.diff-line').evaluateAll((lines) => lines.map((l) => l.className)), [
      'diff-line hunk',
      'diff-line del',
      'diff-line add',
    ]);
    assert.equal(await page.locator('.turn img').count(), 0, 'model text is never markup');
    assert.equal(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined);
    await card.getByRole('button', { name: 'Open diff' }).click();
    await card.getByRole('button', { name: 'Apply' }).click();
    const posted = await view.posted();
    assert.deepEqual(posted.slice(-2), [
      { type: 'openDiff', requestId: 't1', stepId: 's1' },
      { type: 'decide', requestId: 't1', stepId: 's1', decision: 'approve' },
    ]);
    assert.equal(await card.getByRole('button', { name: 'Apply' }).count(), 0, 'answered once');
    // The host shows the step again as it runs, then done, in place.
    await view.host({
      type: 'step',
      requestId: 't1',
      step: { ...step, status: 'done', ask: undefined, output: 'Edited src/a.ts.' },
    });
    assert.equal(await page.locator('.step').count(), 1);
    assert.equal(await card.locator('.step-status').textContent(), 'done');
    assert.equal(await card.locator('.step-output pre').textContent(), 'Edited src/a.ts.');
    await page.close();
  });

  it('a command offers Run, Skip and Always allow; Stop stays offered while it waits', async () => {
    const view = await openWebview(browser);
    const { page } = view;
    await view.host(init({ mode: 'agent' }));
    await view.host({ type: 'turnStarted', turn: turn('t2') });
    await view.host({
      type: 'step',
      requestId: 't2',
      step: {
        id: 's2',
        tool: 'run_command',
        subject: 'npm test $& \u202eexe.tset\nrm -rf x',
        status: 'asking',
        ask: 'command',
        detail: 'npm test $& \u202eexe.tset\nrm -rf x',
      },
    });
    // The whole command, on its lines, with the direction override shown, not obeyed.
    assert.equal(await page.locator('.step-detail').textContent(), 'npm test $& \\u{202e}exe.tset\nrm -rf x');
    assert.equal(await page.locator('.step-title').textContent(), 'Run npm test $& \\u{202e}exe.tset rm -rf x');
    const buttons = await page.locator('.step[data-step="s2"] .step-actions button').allTextContents();
    assert.deepEqual(buttons, ['Run', 'Skip', 'Always allow in this workspace']);
    assert.equal(await page.locator('.send').textContent(), 'Stop');
    await page.getByRole('button', { name: 'Skip' }).click();
    assert.deepEqual((await view.posted()).at(-1), {
      type: 'decide',
      requestId: 't2',
      stepId: 's2',
      decision: 'reject',
    });
    await page.close();
  });

  it('lists the changed files with Keep and Undo all, and says how they were settled', async () => {
    const view = await openWebview(browser);
    const { page } = view;
    await view.host(init({ mode: 'agent' }));
    await view.host({ type: 'turnStarted', turn: turn('t3') });
    const files = [
      { path: 'src/a.ts', created: false },
      { path: 'docs/new.md', created: true },
    ];
    await view.host({ type: 'changes', requestId: 't3', changes: { files, state: 'pending' } });
    await view.host({ type: 'turnDone', requestId: 't3', status: 'done' });
    assert.deepEqual(await page.locator('.changes-list li').allTextContents(), ['src/a.ts', 'docs/new.md new']);
    await page.getByRole('button', { name: 'Undo all' }).click();
    assert.deepEqual((await view.posted()).at(-1), { type: 'undoChanges', requestId: 't3' });
    await view.host({ type: 'changes', requestId: 't3', changes: { files, state: 'undone' } });
    assert.equal(await page.getByRole('button', { name: 'Undo all' }).count(), 0);
    assert.equal(
      await page.locator('.changes .note').textContent(),
      'Undone: the files are as they were before this turn.',
    );
    await page.close();
  });

  it('reopens a finished agent turn with its steps, and offers Continue after the step limit', async () => {
    const view = await openWebview(browser);
    const { page } = view;
    const steps: StepView[] = [
      { id: 'a', tool: 'read_file', subject: 'src/a.ts', status: 'done', output: 'src/a.ts, lines 1-1 of 1.' },
      { id: 'b', tool: 'mcp_fetch', subject: '{"url":"x"}', status: 'rejected' },
    ];
    await view.host(
      init({ mode: 'agent', turns: [turn('t4', { status: 'done', steps, answer: 'Stopped here.', stepLimit: true })] }),
    );
    assert.deepEqual(await page.locator('.step-title').allTextContents(), [
      'Read src/a.ts',
      'Tool mcp_fetch {"url":"x"}',
    ]);
    assert.deepEqual(await page.locator('.step-status').allTextContents(), ['done', 'not allowed']);
    await page.locator('.step-limit button').click();
    assert.deepEqual((await view.posted()).at(-1), { type: 'action', action: 'continue', requestId: 't4' });
    await page.close();
  });
});

describe("the team's rules in the chat webview", () => {
  it('shows the rules a turn applied as chips that open the file, and switches them off for the conversation', async () => {
    const view = await openWebview(browser);
    const { page } = view;
    await view.host(init());
    assert.equal(await page.locator('.rules-switch').textContent(), 'Rules on');
    await view.host({ type: 'turnStarted', turn: turn('r1', { mode: 'ask' }) });
    await view.host({ type: 'turnRules', requestId: 'r1', rules: ['AGENTS.md', `.genos/rules/${hostile}.md`] });
    assert.deepEqual(await page.locator('.turn .rules .chip').allTextContents(), [
      'AGENTS.md',
      `.genos/rules/${hostile}.md`,
    ]);
    assert.equal(await page.locator('.turn img').count(), 0);
    await page.locator('.turn .rules .chip', { hasText: 'AGENTS.md' }).click();
    assert.deepEqual((await view.posted()).at(-1), { type: 'openRule', requestId: 'r1', rule: 'AGENTS.md' });
    await page.locator('.rules-switch').click();
    assert.deepEqual((await view.posted()).at(-1), { type: 'setRulesOff', rulesOff: true });
    await view.host({ type: 'rulesOff', rulesOff: true });
    assert.equal(await page.locator('.rules-switch').textContent(), 'Rules off');
    assert.equal(await page.locator('.rules-switch').getAttribute('aria-pressed'), 'false');
    await page.close();
  });
});

describe('the Think switch in the chat webview', () => {
  it('is offered only for a model that thinks, and switches thinking off for the conversation', async () => {
    const view = await openWebview(browser);
    const { page } = view;
    await view.host(init());
    assert.ok(await page.locator('.think-switch').isHidden());
    await view.host({ type: 'thinking', thinks: true, thinkingOff: false });
    assert.equal(await page.locator('.think-switch').textContent(), 'Think on');
    await page.locator('.think-switch').click();
    assert.deepEqual((await view.posted()).at(-1), { type: 'setThinkingOff', thinkingOff: true });
    await view.host({ type: 'thinking', thinks: true, thinkingOff: true });
    assert.equal(await page.locator('.think-switch').textContent(), 'Think off');
    await page.close();
  });
});

describe('the / menu in the chat webview', () => {
  it('asks the host for the commands when / is typed, narrows them, and puts the pick in the input', async () => {
    const view = await openWebview(browser);
    const { page } = view;
    await view.host(init());
    const input = page.locator('textarea.input');
    await input.pressSequentially('/');
    await page.waitForFunction(() =>
      (window as unknown as { __posted: Array<{ type: string }> }).__posted.some((m) => m.type === 'listCommands'),
    );
    await view.host({
      type: 'commands',
      commands: [
        { name: 'explain', description: 'Explain the selected code', source: 'builtIn' },
        { name: 'review', description: '변경 사항을 검토합니다', source: 'file' },
        { name: 'rename', description: `Rename ${hostile}`, source: 'file' },
      ],
    });
    assert.deepEqual(await page.locator('.mention.command .command-name').allTextContents(), [
      '/explain',
      '/review',
      '/rename',
    ]);
    await input.pressSequentially('re');
    assert.deepEqual(await page.locator('.mention.command').allTextContents(), [
      '/review 변경 사항을 검토합니다',
      `/rename Rename ${hostile}`,
    ]);
    assert.equal(await page.locator('.mention-menu img').count(), 0);
    await input.press('ArrowDown');
    await input.press('Enter');
    assert.equal(await input.inputValue(), '/rename ');
    assert.ok(await page.locator('.mention-menu').isHidden());
    assert.ok(!(await view.posted()).some((m) => m.type === 'send'), 'picking does not send');
    await input.pressSequentially('now');
    await input.press('Enter');
    assert.equal((await view.posted()).filter((m) => m.type === 'send').at(-1)?.type, 'send');
    await page.close();
  });
});
