/**
 * `npm run dev:server`: a local GenOS stand-in for trying the extension without a GenOS account.
 * Environment: GENOS_DEV_PORT (default 8787), GENOS_DEV_TOKEN (default dev-token), GENOS_DEV_SERVING (default 43).
 */
import { FakeGenos } from './genosServer';

async function main(): Promise<void> {
  const server = new FakeGenos({
    port: Number(process.env.GENOS_DEV_PORT ?? 8787),
    token: process.env.GENOS_DEV_TOKEN ?? 'dev-token',
    servingId: process.env.GENOS_DEV_SERVING ?? '43',
    models: ['Qwen3-8B', 'gemma-3-12b-it'],
  });
  const baseUrl = await server.start();
  console.log(`GenOS stand-in listening.
  genos.baseUrl   = ${baseUrl}
  genos.servingId = ${server.servingId}
  access token    = ${server.token}
Tags in a question choose behaviours: [slow] [think] [long] [cut] [stall] [error] [500] [429].
Completions: turn on "genos.completion.enabled"; /v1/completions answers fill-in-the-middle prompts
with text that depends on both sides of the cursor (after "name = " a string, in a call an argument).
Ctrl+C stops.`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main();
