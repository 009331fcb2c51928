/**
 * Runs the client in a process of its own and prints what happened as JSON. Tests start it with
 * environment variables that only take effect at process start (`NODE_EXTRA_CA_CERTS`).
 * Argument: JSON `{ baseUrl, servingId, token, caPem?, allowSelfSigned? }`.
 */
import { buildEndpoint } from '../../src/client/endpoint';
import { GenosError } from '../../src/client/errors';
import { GenosClient } from '../../src/client/genosClient';
import { NetworkPath } from '../../src/client/network';
import { collect } from './collect';

interface Input {
  baseUrl: string;
  servingId: string;
  token: string;
  caPem?: string;
  allowSelfSigned?: boolean;
}

async function main(): Promise<void> {
  const input = JSON.parse(process.argv[2]) as Input;
  const network =
    input.caPem || input.allowSelfSigned
      ? new NetworkPath({ caPem: input.caPem, allowSelfSigned: input.allowSelfSigned, env: process.env })
      : undefined;
  const client = new GenosClient({
    endpoint: buildEndpoint(input.baseUrl, input.servingId),
    token: input.token,
    timeoutMs: 10_000,
    network,
  });
  try {
    const probe = await client.probe();
    const answer = await collect(client.chat([{ role: 'user', content: '안녕하세요' }], { model: probe.models[0] }));
    process.stdout.write(
      JSON.stringify({
        ok: true,
        models: probe.models,
        path: probe.trace.path,
        tlsVersion: probe.trace.tlsVersion,
        text: answer.text,
      }),
    );
  } catch (error) {
    const failure = error instanceof GenosError ? error : undefined;
    process.stdout.write(
      JSON.stringify({
        ok: false,
        kind: failure?.kind,
        tlsProblem: failure?.tlsProblem,
        detail: failure?.detail,
        message: String(error),
      }),
    );
  }
}

// The test that started this process holds its stdin open: when that test process ends, even
// killed (a mutation run stops a hanging test file that way), the pipe closes and this process
// goes too, instead of running on unseen. The timer covers a parent that never closes the pipe.
process.stdin.on('end', () => process.exit(3));
process.stdin.resume();
setTimeout(() => process.exit(4), 60_000).unref();
void main().then(() => process.stdin.destroy());
