/**
 * A child process that serves one long chat completion stream in vLLM's exact chunk shape, as
 * fast as the socket takes it, behind the GenOS gateway path and bearer check. Running apart from
 * the measuring process keeps its CPU out of the client's figures. Prints its port, then serves
 * until killed.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

const TOKEN = 'bench-token';
const PATH = '/api/gateway/rep/serving/1/v1/chat/completions';
const targetBytes = Number(process.argv[2] ?? 20_000_000);

function body(): Buffer {
  const parts: string[] = [];
  let size = 0;
  const words = [
    '안녕하세요 ',
    'hello ',
    'world ',
    '함수 ',
    'const ',
    '= ',
    '(x) ',
    '=> ',
    'x * 2;\n',
    '코드 ',
    'is ',
    'fine. ',
  ];
  for (let i = 0; size < targetBytes; i++) {
    const chunk = JSON.stringify({
      id: 'chat-5a11ac760ced4c549b02b41ffac3b62b',
      object: 'chat.completion.chunk',
      created: 1737018387,
      model: '/model/snapshots/9eb2daaa8597bf192a8b0e73f848f3a102794df5',
      choices: [
        {
          index: 0,
          delta: { content: words[i % words.length] },
          logprobs: null,
          finish_reason: null,
          stop_reason: null,
        },
      ],
    });
    const line = `data: ${chunk}\n\n`;
    parts.push(line);
    size += Buffer.byteLength(line);
  }
  parts.push(
    `data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: '' }, finish_reason: 'stop' }] })}\n\n`,
    'data: [DONE]\n\n',
  );
  return Buffer.from(parts.join(''), 'utf8');
}

const payload = body();
const server = http.createServer((req, res) => {
  req.resume();
  if (req.url !== PATH || req.headers.authorization !== `Bearer ${TOKEN}`) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Content-Length': payload.length });
  let offset = 0;
  const pump = () => {
    while (offset < payload.length) {
      const slice = payload.subarray(offset, offset + 65536);
      offset += slice.length;
      if (!res.write(slice)) {
        res.once('drain', pump);
        return;
      }
    }
    res.end();
  };
  pump();
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${(server.address() as AddressInfo).port} ${payload.length}\n`);
});
