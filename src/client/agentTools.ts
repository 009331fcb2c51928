/**
 * The agent's built-in tools as the model sees them (name, purpose, JSON schema of the arguments),
 * and the checking of the arguments a model wrote, natively (JSON) or in the text protocol (tagged
 * parameters, see textTools.ts). What a tool does is the host's; this module only says what may be
 * asked of it. Plain functions, no I/O.
 */
import type { ToolSpec } from './openai';

/** One exact search/replace of an edit: `search` must occur exactly once in the file. */
export interface EditBlock {
  search: string;
  replace: string;
}

/** The arguments of each built-in tool, once checked. */
export interface AgentToolArgs {
  read_file: { path: string; startLine?: number; endLine?: number };
  list_files: { pattern?: string };
  search: { query: string; regex?: boolean; include?: string };
  problems: { path?: string };
  edit_file: { path: string; edits: EditBlock[] };
  create_file: { path: string; content: string };
  run_command: { command: string };
}

export type AgentToolName = keyof AgentToolArgs;

/** A checked call of a built-in tool. */
export type AgentCall = { [N in AgentToolName]: { name: N; args: AgentToolArgs[N] } }[AgentToolName];

/** Tools that change the workspace or run something: they ask the user first. */
export const WRITING_TOOLS: ReadonlySet<AgentToolName> = new Set(['edit_file', 'create_file', 'run_command']);

const path = { type: 'string', description: 'A path relative to the workspace folder, with / between parts.' };

/** The built-in tools, in the order the model is told of them. */
export const AGENT_TOOLS: readonly ToolSpec[] = [
  {
    name: 'read_file',
    description:
      'Read a text file of the workspace. Long files come back a page at a time; ask for a line range to read more.',
    parameters: {
      type: 'object',
      properties: {
        path,
        startLine: { type: 'integer', minimum: 1, description: 'First line to read (1-based).' },
        endLine: { type: 'integer', minimum: 1, description: 'Last line to read.' },
      },
      required: ['path'],
    },
  },
  {
    name: 'list_files',
    description: 'List the files of the workspace, optionally only those matching a glob such as src/**/*.ts.',
    parameters: { type: 'object', properties: { pattern: { type: 'string' } } },
  },
  {
    name: 'search',
    description: 'Search the text of the workspace files. Returns matching lines with their file and line number.',
    parameters: {
      type: 'object',
      properties: {
        query: { type: 'string' },
        regex: { type: 'boolean', description: 'Treat the query as a regular expression.' },
        include: { type: 'string', description: 'Only files matching this glob.' },
      },
      required: ['query'],
    },
  },
  {
    name: 'problems',
    description: 'The errors and warnings the editor reports, for one file or the whole workspace.',
    parameters: { type: 'object', properties: { path } },
  },
  {
    name: 'edit_file',
    description:
      'Change a file with exact search/replace blocks. Each search text must occur exactly once in the file, ' +
      'whitespace included; copy it from read_file. The user reviews the change before it is applied.',
    parameters: {
      type: 'object',
      properties: {
        path,
        edits: {
          type: 'array',
          items: {
            type: 'object',
            properties: { search: { type: 'string' }, replace: { type: 'string' } },
            required: ['search', 'replace'],
          },
        },
      },
      required: ['path', 'edits'],
    },
  },
  {
    name: 'create_file',
    description: 'Create a new file with the given content. The user reviews it first.',
    parameters: { type: 'object', properties: { path, content: { type: 'string' } }, required: ['path', 'content'] },
  },
  {
    name: 'run_command',
    description:
      'Run a shell command in a terminal in the workspace folder, after the user approves it. Returns its exit code and the end of its output.',
    parameters: { type: 'object', properties: { command: { type: 'string' } }, required: ['command'] },
  },
];

const NAMES = new Set<string>(AGENT_TOOLS.map((tool) => tool.name));

/** Whether `name` is one of the built-in tools. */
export function isAgentTool(name: string): name is AgentToolName {
  return NAMES.has(name);
}

type Input = Record<string, unknown>;

function text(input: Input, key: string, required: true): string;
function text(input: Input, key: string, required: false): string | undefined;
function text(input: Input, key: string, required: boolean): string | undefined {
  const value = input[key];
  if (value === undefined || value === null || value === '') {
    if (required) throw new Error(`"${key}" is required.`);
    return undefined;
  }
  if (typeof value !== 'string') throw new Error(`"${key}" must be a string.`);
  return value;
}

/** A positive line number, given as a number or (in the text protocol) as digits. */
function line(input: Input, key: string): number | undefined {
  const value = input[key];
  if (value === undefined || value === null || value === '') return undefined;
  const number = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isInteger(number) || number < 1) {
    throw new Error(`"${key}" must be a line number (1 or more).`);
  }
  return number;
}

function flag(input: Input, key: string): boolean | undefined {
  const value = input[key];
  if (value === undefined || value === '') return undefined;
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new Error(`"${key}" must be true or false.`);
}

/**
 * The edits of an `edit_file` call: an `edits` array (native calls), or `search` and `replace`
 * given once or repeated in pairs (the text protocol).
 */
function edits(input: Input): EditBlock[] {
  const list = input.edits;
  if (list !== undefined) {
    if (!Array.isArray(list) || list.length === 0) throw new Error('"edits" must be a non-empty list.');
    return list.map((edit, i) => {
      if (typeof edit !== 'object' || edit === null) throw new Error(`edit ${i + 1} must be an object.`);
      const { search, replace } = edit as Input;
      if (typeof search !== 'string' || typeof replace !== 'string') {
        throw new Error(`edit ${i + 1} needs "search" and "replace" strings.`);
      }
      return { search, replace };
    });
  }
  const searches = ([] as unknown[]).concat(input.search ?? []);
  const replaces = ([] as unknown[]).concat(input.replace ?? []);
  if (searches.length === 0 || searches.length !== replaces.length) {
    throw new Error('each "search" needs a "replace" after it.');
  }
  return searches.map((search, i) => {
    const replace = replaces[i];
    if (typeof search !== 'string' || typeof replace !== 'string') {
      throw new Error('"search" and "replace" must be text.');
    }
    return { search, replace };
  });
}

/**
 * Checks a call the model made: `input` is its parsed JSON arguments, or the text protocol's
 * parameters. Returns the call, or what is wrong with it in words the model can act on.
 */
export function checkCall(name: string, input: unknown): { call: AgentCall } | { error: string } {
  if (!isAgentTool(name)) return { error: `There is no tool named "${name}".` };
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { error: `The arguments of ${name} must be an object.` };
  }
  const args = input as Input;
  try {
    switch (name) {
      case 'read_file': {
        const [startLine, endLine] = [line(args, 'startLine'), line(args, 'endLine')];
        if (startLine && endLine && endLine < startLine) throw new Error('"endLine" is before "startLine".');
        return { call: { name, args: { path: text(args, 'path', true), startLine, endLine } } };
      }
      case 'list_files':
        return { call: { name, args: { pattern: text(args, 'pattern', false) } } };
      case 'search':
        return {
          call: {
            name,
            args: {
              query: text(args, 'query', true),
              regex: flag(args, 'regex'),
              include: text(args, 'include', false),
            },
          },
        };
      case 'problems':
        return { call: { name, args: { path: text(args, 'path', false) } } };
      case 'edit_file':
        return { call: { name, args: { path: text(args, 'path', true), edits: edits(args) } } };
      case 'create_file':
        return {
          call: {
            name,
            args: {
              path: text(args, 'path', true),
              content: typeof args.content === 'string' ? args.content : text(args, 'content', true),
            },
          },
        };
      case 'run_command':
        return { call: { name, args: { command: text(args, 'command', true) } } };
    }
  } catch (error) {
    return { error: `${name}: ${(error as Error).message}` };
  }
}
