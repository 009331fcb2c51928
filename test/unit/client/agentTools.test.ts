import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { AGENT_TOOLS, checkCall, isAgentTool, WRITING_TOOLS } from '../../../src/client/agentTools';

describe('the agent tools', () => {
  it('offers each tool with a JSON schema, and marks those that write or run', () => {
    assert.deepEqual(
      AGENT_TOOLS.map((tool) => tool.name),
      ['read_file', 'list_files', 'search', 'problems', 'edit_file', 'create_file', 'run_command'],
    );
    for (const tool of AGENT_TOOLS) assert.equal((tool.parameters as { type: string }).type, 'object');
    assert.deepEqual([...WRITING_TOOLS].sort(), ['create_file', 'edit_file', 'run_command']);
    assert.ok(isAgentTool('search') && !isAgentTool('delete_everything'));
  });

  it('checks native arguments', () => {
    assert.deepEqual(checkCall('read_file', { path: 'a.ts', startLine: 2 }), {
      call: { name: 'read_file', args: { path: 'a.ts', startLine: 2, endLine: undefined } },
    });
    assert.deepEqual(checkCall('edit_file', { path: 'a', edits: [{ search: 'x', replace: 'y' }] }), {
      call: { name: 'edit_file', args: { path: 'a', edits: [{ search: 'x', replace: 'y' }] } },
    });
    assert.deepEqual(checkCall('create_file', { path: 'empty.txt', content: '' }), {
      call: { name: 'create_file', args: { path: 'empty.txt', content: '' } },
    });
  });

  it('checks the text protocol parameters: numbers and flags as text, edits as pairs', () => {
    assert.deepEqual(checkCall('read_file', { path: 'a', startLine: '10', endLine: '20' }), {
      call: { name: 'read_file', args: { path: 'a', startLine: 10, endLine: 20 } },
    });
    assert.deepEqual(checkCall('search', { query: 'x', regex: 'true' }), {
      call: { name: 'search', args: { query: 'x', regex: true, include: undefined } },
    });
    assert.deepEqual(checkCall('edit_file', { path: 'a', search: ['1', '2'], replace: ['3', '4'] }), {
      call: {
        name: 'edit_file',
        args: {
          path: 'a',
          edits: [
            { search: '1', replace: '3' },
            { search: '2', replace: '4' },
          ],
        },
      },
    });
  });

  it('says what is wrong, in words the model can act on', () => {
    const error = (name: string, input: unknown) => (checkCall(name, input) as { error: string }).error;
    assert.equal(error('rm', {}), 'There is no tool named "rm".');
    assert.equal(error('read_file', []), 'The arguments of read_file must be an object.');
    assert.equal(error('read_file', {}), 'read_file: "path" is required.');
    assert.equal(error('read_file', { path: 3 }), 'read_file: "path" must be a string.');
    assert.equal(
      error('read_file', { path: 'a', startLine: 0 }),
      'read_file: "startLine" must be a line number (1 or more).',
    );
    assert.equal(error('search', { query: 'a', regex: 'yes' }), 'search: "regex" must be true or false.');
    assert.equal(
      error('read_file', { path: 'a', startLine: 9, endLine: 3 }),
      'read_file: "endLine" is before "startLine".',
    );
    assert.equal(error('edit_file', { path: 'a', edits: [] }), 'edit_file: "edits" must be a non-empty list.');
    assert.equal(
      error('edit_file', { path: 'a', search: 'x' }),
      'edit_file: each "search" needs a "replace" after it.',
    );
    assert.equal(
      error('edit_file', { path: 'a', edits: [{ search: 'x' }] }),
      'edit_file: edit 1 needs "search" and "replace" strings.',
    );
    assert.equal(error('run_command', { command: '' }), 'run_command: "command" is required.');
  });
});
