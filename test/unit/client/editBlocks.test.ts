import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { applyEdits, describeEditFailure } from '../../../src/client/editBlocks';

const file = 'import os\n\ndef area(r):\n    return 3.14 * r * r\n\ndef main():\n    print(area(2))\n';

describe('exact search/replace edits', () => {
  it('applies edits in order, each to the text the one before made', () => {
    const result = applyEdits(file, [
      { search: '    return 3.14 * r * r\n', replace: '    return math.pi * r * r\n' },
      { search: 'import os\n', replace: 'import math\n' },
    ]);
    assert.deepEqual(result, { ok: true, text: file.replace('3.14', 'math.pi').replace('import os', 'import math') });
  });

  it('never applies a search text that is not there, and shows the lines most like it', () => {
    const result = applyEdits(file, [{ search: 'def area(r):\n  return 3.14 * r * r', replace: 'x' }]);
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.equal(result.reason, 'notFound');
    assert.deepEqual(result.nearest, { line: 3, text: 'def area(r):\n    return 3.14 * r * r' });
    const words = describeEditFailure(result, 'geo.py');
    assert.match(words, /Edit 1 of geo\.py was not applied/);
    assert.match(words, /from line 3:\ndef area\(r\):/);
  });

  it('finds the nearest lines whatever their indentation', () => {
    const result = applyEdits(file, [{ search: '  def main():\n        print(area(2))', replace: '' }]);
    assert.deepEqual((result as { nearest?: unknown }).nearest, { line: 6, text: 'def main():\n    print(area(2))' });
    const unindented = applyEdits(file, [{ search: 'return 3.14 * r * r', replace: '' }]);
    assert.equal(unindented.ok, true, 'a part of a line is found as it is');
    const moved = applyEdits(file, [{ search: 'return 3.14 * r * r\nprint(x)', replace: '' }]);
    assert.deepEqual((moved as { nearest?: unknown }).nearest, { line: 4, text: '    return 3.14 * r * r\n' });
  });

  it('refuses a search text that occurs more than once, and an empty one', () => {
    const twice = applyEdits('a\nb\na\n', [{ search: 'a\n', replace: 'c\n' }]);
    assert.deepEqual(twice, { ok: false, index: 0, reason: 'ambiguous', count: 2 });
    assert.match(describeEditFailure(twice as never, 'f'), /occurs 2 times/);
    assert.deepEqual(applyEdits('a', [{ search: '', replace: 'b' }]), { ok: false, index: 0, reason: 'emptySearch' });
  });

  it('fails the whole edit when a later block fails: nothing half-applied', () => {
    const result = applyEdits(file, [
      { search: 'import os', replace: 'import math' },
      { search: 'not in the file', replace: '' },
    ]);
    assert.equal(result.ok, false);
    assert.equal((result as { index: number }).index, 1);
  });

  it('edits a file that mixes line ends, where the text is as written', () => {
    const mixed = 'a\nb\r\nc\n';
    assert.deepEqual(applyEdits(mixed, [{ search: 'a\nb', replace: 'x\ny' }]), { ok: true, text: 'x\ny\r\nc\n' });
    assert.deepEqual(applyEdits(mixed, [{ search: 'b\nc', replace: 'B\nC' }]), { ok: true, text: 'a\nB\r\nC\n' });
  });

  it('keeps CRLF line ends when the model writes LF', () => {
    const crlf = 'a\r\nb\r\nc\r\n';
    assert.deepEqual(applyEdits(crlf, [{ search: 'a\nb\n', replace: 'x\ny\n' }]), {
      ok: true,
      text: 'x\r\ny\r\nc\r\n',
    });
  });

  it('says nothing is alike when no line matches', () => {
    const result = applyEdits(file, [{ search: 'zzz', replace: '' }]);
    assert.equal((result as { nearest?: unknown }).nearest, undefined);
    assert.match(describeEditFailure(result as never, 'f'), /Read the file again/);
  });
});
