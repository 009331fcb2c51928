import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { MAX_TIMEOUT_SECONDS, timeoutSeconds, withinRange } from '../../../../src/host/connection/settingRanges';

describe('numeric settings edited by hand', () => {
  it('keeps a timeout a timer can hold: a huge one is the longest there is, never 1 ms', () => {
    assert.equal(timeoutSeconds(3_000_000, 60), MAX_TIMEOUT_SECONDS);
    assert.ok(MAX_TIMEOUT_SECONDS * 1000 <= 2_147_483_647);
    assert.equal(timeoutSeconds(-5, 60), 0);
    assert.equal(timeoutSeconds('30', 60), 60);
    assert.equal(timeoutSeconds(Number.NaN, 60), 60);
    assert.equal(timeoutSeconds(90, 60), 90);
  });

  it("drops numbers out of package.json's ranges, as if they were not set", () => {
    assert.equal(withinRange(0.7, 0, 2), 0.7);
    assert.equal(withinRange(5, 0, 2), undefined);
    assert.equal(withinRange(-1, 0, 2), undefined);
    assert.equal(withinRange(0, 1, Infinity, true), undefined);
    assert.equal(withinRange(-4096, 1, Infinity, true), undefined);
    assert.equal(withinRange(1024.4, 1, Infinity, true), 1024);
    assert.equal(withinRange(0, 512, Infinity, true), undefined);
    assert.equal(withinRange(Number.POSITIVE_INFINITY, 1), undefined);
    assert.equal(withinRange(null, 0, 2), undefined);
  });
});
