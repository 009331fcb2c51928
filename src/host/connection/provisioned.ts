import { buildEndpoint } from '../../client/endpoint';
import { normalizeToken } from '../../client/token';

/**
 * A serving that a GenOS codespace provisions through the environment of the extension host:
 * `GENOS_SERVING_URL` (`{GenOS}/api/gateway/rep/serving/{id}`, with or without `/v1`),
 * `GENOS_SERVING_API_KEY` and optionally `GENOS_SERVING_MODEL_ID`. Plain code (no `vscode`).
 * The key is used as the token for that endpoint only, and never stored anywhere.
 */
export interface ProvisionedServing {
  /** The URL as given, for the address setting's place. */
  url: string;
  endpoint: URL;
  key: string;
  model?: string;
}

/**
 * The provisioned serving, when the environment has a usable URL. `key` is empty when
 * `GENOS_SERVING_API_KEY` is missing: the serving is still the one to use, and the user is told the
 * key is missing rather than that the address is.
 */
export function provisionedServing(
  env: Readonly<Record<string, string | undefined>> = process.env,
): ProvisionedServing | undefined {
  const url = env.GENOS_SERVING_URL?.trim();
  const key = normalizeToken(env.GENOS_SERVING_API_KEY ?? '') ?? '';
  if (!url) return undefined;
  let endpoint: URL;
  try {
    endpoint = buildEndpoint(url, '');
  } catch {
    return undefined;
  }
  const model = env.GENOS_SERVING_MODEL_ID?.trim();
  return { url, endpoint, key, model: model || undefined };
}
