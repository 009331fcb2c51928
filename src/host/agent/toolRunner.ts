/**
 * Runs the agent's tool calls as steps the user sees: each call becomes a step in the turn; the
 * reading tools run at once (unless the user asked to approve reads); a read the boundary refuses
 * for approval, every edit (unless the user approves edits in their own settings), every command
 * and every other extension's tool wait for the user's answer in the panel. Only the panel's
 * buttons answer: nothing in the workspace can approve a step.
 */
import * as vscode from 'vscode';
import type { AgentCall } from '../../client/agentTools';
import type { StepAsk, StepDecision, StepView } from '../../shared/protocol';
import type { AgentSettings } from '../connection/settings';
import { STOPPED_RESULT, type ModelCall, type ToolResult } from './agentLoop';
import type { ChangeJournal } from './changeJournal';
import { runCommand } from './commandTool';
import { applyChange, proposeCreate, proposeEdit, type ProposedChange } from './editTools';
import { invokeExtensionTool } from './extensionTools';
import { listFiles, problems, readFile, type ToolOutput } from './readTools';
import { search } from './searchTool';

/** Output shown in a step at most; the model gets all of it. */
const SHOWN_OUTPUT = 4_000;
/** What is asked for is shown whole up to this; a longer one is refused rather than shown cut. */
const DETAIL_CHARS = 8_000;
/** A tool still running this long after Stop is left behind: the turn ends anyway. */
const STOP_GRACE_MS = 3_000;
/** Commands and tools the user allowed always, per workspace (workspace state, not a file). */
const ALLOWED_COMMANDS = 'genos.agent.allowedCommands';
const ALLOWED_TOOLS = 'genos.agent.allowedTools';

/** Where steps are shown and answered. */
export interface StepUi {
  show(step: StepView): void;
  /** Waits for the user's answer to a step that asks; `undefined` when stopped first. */
  decide(step: StepView, signal: AbortSignal): Promise<StepDecision | undefined>;
}

export interface RunnerContext {
  ui: StepUi;
  journal: ChangeJournal;
  /** Workspace state: the commands and tools allowed always. */
  state: vscode.Memento;
  settings: AgentSettings;
  /** Restricted Mode: nothing that writes or runs. */
  readOnly: boolean;
  /** Proposed changes by step, for the diff editor. */
  proposals: Map<string, ProposedChange>;
  newId(): string;
}

/** What a step acts on, for its title. */
export function subjectOf(call: ModelCall): string {
  const input = (call.input ?? {}) as Record<string, unknown>;
  if (!call.call) {
    const text = typeof call.input === 'string' ? call.input : JSON.stringify(call.input ?? {});
    return text.length > 120 ? `${text.slice(0, 120)}…` : text;
  }
  const args = call.call.args as Record<string, unknown>;
  const first = args.path ?? args.query ?? args.command ?? args.pattern ?? input.path ?? '';
  return String(first);
}

function shown(output: string): string {
  return output.length > SHOWN_OUTPUT ? `…${output.slice(-SHOWN_OUTPUT)}` : output;
}

export class ToolRunner {
  constructor(private readonly context: RunnerContext) {}

  async run(call: ModelCall, signal: AbortSignal): Promise<ToolResult> {
    const step: StepView = { id: this.context.newId(), tool: call.name, subject: subjectOf(call), status: 'running' };
    this.context.ui.show(step);
    let result: ToolOutput;
    try {
      result = call.error
        ? { ok: false, output: call.error }
        : await untilStopped(this.dispatch(call, step, signal), signal);
    } catch (error) {
      result = { ok: false, output: `The tool failed: ${error instanceof Error ? error.message : String(error)}` };
    }
    if (signal.aborted && step.status !== 'rejected') {
      step.status = 'stopped';
      if (!result.output) result = { ok: false, output: STOPPED_RESULT };
    } else if (step.status !== 'rejected') step.status = result.ok ? 'done' : 'failed';
    step.ask = undefined;
    step.output = shown(result.output);
    this.context.ui.show(step);
    return { ok: result.ok, output: result.output };
  }

  /** Shows what the step asks and waits; undefined when stopped. */
  private async ask(step: StepView, ask: StepAsk, signal: AbortSignal): Promise<StepDecision | undefined> {
    step.status = 'asking';
    step.ask = ask;
    this.context.ui.show(step);
    const decision = await this.context.ui.decide(step, signal);
    step.ask = undefined;
    if (decision === 'reject') step.status = 'rejected';
    else if (decision) step.status = 'running';
    this.context.ui.show(step);
    return decision;
  }

  private async dispatch(model: ModelCall, step: StepView, signal: AbortSignal): Promise<ToolOutput> {
    const call = model.call;
    if (!call) return this.external(model, step, signal);
    const { settings, readOnly } = this.context;
    if (readOnly && (call.name === 'edit_file' || call.name === 'create_file' || call.name === 'run_command')) {
      return {
        ok: false,
        output: 'The workspace is in Restricted Mode: the user has not trusted it, so nothing may be changed or run.',
      };
    }
    switch (call.name) {
      case 'read_file':
      case 'list_files':
      case 'search':
      case 'problems':
        return this.read(call, step, signal, settings.approveReads);
      case 'edit_file':
      case 'create_file':
        return this.change(call, step, signal);
      case 'run_command':
        return this.command(call.args.command, step, signal);
    }
  }

  private async read(call: AgentCall, step: StepView, signal: AbortSignal, approve: boolean): Promise<ToolOutput> {
    if (approve) {
      const decision = await this.ask(step, 'read', signal);
      if (!decision) return { ok: false, output: STOPPED_RESULT };
      if (decision === 'reject') return { ok: false, output: 'The user did not allow this.' };
    }
    switch (call.name) {
      case 'read_file': {
        const result = await readFile(call.args);
        if (!result.approvable) return result;
        step.sensitive = true;
        const decision = await this.ask(step, 'read', signal);
        if (!decision) return { ok: false, output: STOPPED_RESULT };
        if (decision === 'reject') return { ok: false, output: `${result.output} The user did not allow reading it.` };
        return readFile(call.args, true);
      }
      case 'list_files':
        return listFiles(call.args);
      case 'search':
        return search(call.args, signal);
      case 'problems':
        return problems(call.args);
      default:
        return { ok: false, output: `${call.name} is not a reading tool.` };
    }
  }

  private async change(call: AgentCall, step: StepView, signal: AbortSignal): Promise<ToolOutput> {
    const proposal =
      call.name === 'edit_file'
        ? await proposeEdit(call.args)
        : call.name === 'create_file'
          ? await proposeCreate(call.args)
          : undefined;
    if (!proposal) return { ok: false, output: `${call.name} does not change files.` };
    if (!('change' in proposal)) return proposal;
    const change = proposal.change;
    step.diff = change.diff;
    step.sensitive = change.refusal !== undefined || undefined;
    this.context.proposals.set(step.id, change);
    if (!this.context.settings.autoApproveEdits || change.refusal) {
      const decision = await this.ask(step, call.name === 'edit_file' ? 'edit' : 'create', signal);
      if (!decision) return { ok: false, output: STOPPED_RESULT };
      if (decision === 'reject') {
        return { ok: false, output: `The user rejected this change to ${change.target.display}; nothing was written.` };
      }
    } else {
      this.context.ui.show(step);
    }
    return applyChange(change, this.context.journal);
  }

  private async command(command: string, step: StepView, signal: AbortSignal): Promise<ToolOutput> {
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder) return { ok: false, output: 'No folder is open.' };
    if (command.length > DETAIL_CHARS) return { ok: false, output: 'The command is too long to show the user.' };
    step.detail = command;
    const allowed = this.context.state.get<string[]>(ALLOWED_COMMANDS, []);
    if (!allowed.includes(command)) {
      const decision = await this.ask(step, 'command', signal);
      if (!decision) return { ok: false, output: STOPPED_RESULT };
      if (decision === 'reject') return { ok: false, output: 'The user skipped this command; it did not run.' };
      if (decision === 'always') await this.context.state.update(ALLOWED_COMMANDS, [...allowed, command]);
    }
    return runCommand({ command, cwd: folder.uri, timeoutMs: this.context.settings.commandTimeoutMs, signal });
  }

  private async external(call: ModelCall, step: StepView, signal: AbortSignal): Promise<ToolOutput> {
    if (this.context.readOnly) {
      return { ok: false, output: 'The workspace is in Restricted Mode: other tools are not available.' };
    }
    const detail = JSON.stringify(call.input, null, 2);
    if (detail.length > DETAIL_CHARS) return { ok: false, output: 'The arguments are too long to show the user.' };
    step.detail = detail;
    const allowed = this.context.state.get<string[]>(ALLOWED_TOOLS, []);
    if (!allowed.includes(call.name)) {
      const decision = await this.ask(step, 'tool', signal);
      if (!decision) return { ok: false, output: STOPPED_RESULT };
      if (decision === 'reject') return { ok: false, output: 'The user skipped this tool call.' };
      if (decision === 'always') await this.context.state.update(ALLOWED_TOOLS, [...allowed, call.name]);
    }
    return invokeExtensionTool(call.name, call.input as object, signal);
  }
}

/** The tool's result, or, once `signal` aborts and the tool has not ended within a grace, a stop. */
function untilStopped(running: Promise<ToolOutput>, signal: AbortSignal): Promise<ToolOutput> {
  return new Promise((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onAbort = () => {
      timer = setTimeout(() => resolve({ ok: false, output: STOPPED_RESULT }), STOP_GRACE_MS);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    running.then(resolve, reject).finally(() => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    });
  });
}
