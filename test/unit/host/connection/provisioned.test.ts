import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { provisionedServing } from '../../../../src/host/connection/provisioned';

describe('a serving provisioned in the environment (GenOS codespaces)', () => {
  it('reads the endpoint from GENOS_SERVING_URL, with or without /v1, with the key and model', () => {
    for (const url of [
      'https://genos.example.com/api/gateway/rep/serving/77/v1',
      'https://genos.example.com/api/gateway/rep/serving/77',
      'https://genos.example.com/api/gateway/rep/serving/77/v1/',
    ]) {
      const serving = provisionedServing({
        GENOS_SERVING_URL: url,
        GENOS_SERVING_API_KEY: ' key-123 ',
        GENOS_SERVING_MODEL_ID: 'Qwen3-8B',
      });
      assert.equal(serving?.endpoint.href, 'https://genos.example.com/api/gateway/rep/serving/77', url);
      assert.equal(serving?.key, 'key-123');
      assert.equal(serving?.model, 'Qwen3-8B');
    }
    assert.equal(
      provisionedServing({
        GENOS_SERVING_URL: 'https://genos.example.com/api/gateway/rep/serving/77',
        GENOS_SERVING_API_KEY: 'k',
      })?.model,
      undefined,
    );
  });

  it('is absent unless the URL names a serving; without a usable key it is there with an empty key', () => {
    assert.equal(provisionedServing({}), undefined);
    assert.equal(
      provisionedServing({ GENOS_SERVING_URL: 'https://genos.example.com/api/gateway/rep/serving/77' })?.key,
      '',
    );
    assert.equal(provisionedServing({ GENOS_SERVING_API_KEY: 'k' }), undefined);
    assert.equal(
      provisionedServing({
        GENOS_SERVING_URL: 'https://genos.example.com/api/gateway/rep/serving/77',
        GENOS_SERVING_API_KEY: 'two words',
      })?.key,
      '',
    );
    assert.equal(
      provisionedServing({ GENOS_SERVING_URL: 'https://genos.example.com', GENOS_SERVING_API_KEY: 'k' }),
      undefined,
      'no serving id in the URL',
    );
    assert.equal(
      provisionedServing({
        GENOS_SERVING_URL: 'ftp://genos.example.com/api/gateway/rep/serving/77',
        GENOS_SERVING_API_KEY: 'k',
      }),
      undefined,
    );
  });
});
