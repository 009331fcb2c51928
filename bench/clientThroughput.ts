/**
 * The GenOS client consuming a long SSE stream against a plain node:http read of the same bytes
 * that parses nothing: CPU time per MB for each, and their ratio, in one process, same server.
 */
import { spawn } from 'node:child_process';
import * as http from 'node:http';
import * as path from 'node:path';
import { buildEndpoint } from '../src/client/endpoint';
import { GenosClient } from '../src/client/genosClient';

export interface ThroughputFigures {
  bytes: number;
  rawCpuMsPerMB: number;
  /** The raw read plus decoding and `JSON.parse` of every event: what any client must spend at least. */
  floorCpuMsPerMB: number;
  clientCpuMsPerMB: number;
  clientMBps: number;
  chars: number;
}

function cpuMs(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

async function startServer(bytes: number): Promise<{ port: number; size: number; stop: () => void }> {
  const child = spawn(process.execPath, [path.join(__dirname, 'sseServer.js'), String(bytes)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    child.once('error', reject);
    child.stdout.once('data', (data: Buffer) => resolve(data.toString()));
  });
  const [port, size] = line.trim().split(' ').map(Number);
  return { port, size, stop: () => child.kill() };
}

/** Reads the stream with node:http; with `parse`, also decodes it and JSON-parses each event, nothing more. */
function rawRead(port: number, parse = false): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/api/gateway/rep/serving/1/v1/chat/completions',
        headers: { Authorization: 'Bearer bench-token' },
      },
      (res) => {
        let size = 0;
        const decoder = new TextDecoder();
        let rest = '';
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (!parse) return;
          const events = (rest + decoder.decode(chunk, { stream: true })).split('\n\n');
          rest = events.pop() ?? '';
          for (const event of events) if (event.startsWith('data: {')) JSON.parse(event.slice(6));
        });
        res.on('end', () => resolve(size));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end('{}');
  });
}

async function clientRead(port: number): Promise<number> {
  const client = new GenosClient({
    endpoint: buildEndpoint(`http://127.0.0.1:${port}`, '1'),
    token: 'bench-token',
    timeoutMs: 60_000,
  });
  let chars = 0;
  for await (const event of client.chat([{ role: 'user', content: 'bench' }], { model: 'm' })) {
    if (event.type === 'content') chars += event.text.length;
  }
  return chars;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * Raw reads and client reads of the same stream, interleaved so both see the same machine load;
 * the medians of each are compared.
 */
export async function measureThroughput(bytes = 20_000_000, rounds = 3): Promise<ThroughputFigures> {
  const server = await startServer(bytes);
  try {
    await rawRead(server.port); // Warm the connection path and JIT alike for both.
    await clientRead(server.port);
    const raw: number[] = [];
    const floor: number[] = [];
    const client: number[] = [];
    const speeds: number[] = [];
    let chars = 0;
    const mb = server.size / 1e6;
    for (let i = 0; i < rounds; i++) {
      let cpu = process.cpuUsage();
      const received = await rawRead(server.port);
      raw.push(cpuMs(cpu) / mb);
      if (received !== server.size) throw new Error(`raw read got ${received} of ${server.size} bytes`);
      cpu = process.cpuUsage();
      await rawRead(server.port, true);
      floor.push(cpuMs(cpu) / mb);
      cpu = process.cpuUsage();
      const started = process.hrtime.bigint();
      chars = await clientRead(server.port);
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      client.push(cpuMs(cpu) / mb);
      speeds.push(mb / (wallMs / 1000));
    }
    return {
      bytes: server.size,
      rawCpuMsPerMB: median(raw),
      floorCpuMsPerMB: median(floor),
      clientCpuMsPerMB: median(client),
      clientMBps: median(speeds),
      chars,
    };
  } finally {
    server.stop();
  }
}
