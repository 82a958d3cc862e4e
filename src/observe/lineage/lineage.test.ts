import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, removeDir } from '../../../test/helpers/temp-dir.js';
import { ObserveLineageConfigInvalidError, ObserveLineageDeliveryError } from '../errors.js';
import { NOOP_LINEAGE, createLineage } from './lineage.js';
import {
  fileLineageTransport,
  httpLineageTransport,
  lineageEndpoint,
} from './lineage-transports.js';
import type { RunEvent } from './openlineage-spec.js';
import { buildRunEvent, type LineageAttempt } from './run-event.js';
import { validateRunEvent } from './run-event-validator.js';

const T = new Date('2024-03-15T21:30:00.000Z');
const attempt: LineageAttempt = {
  attemptId: 'att_1',
  runId: 'run_1',
  runJob: 'manual',
  asset: 'prices',
  inputs: [],
  output: { name: 'prices', fields: [{ name: 'symbol', type: 'VARCHAR' }] },
};

/** A Marquez stand-in: answers with the statuses queued in `script`, then 201. */
interface FakeMarquez {
  url: string;
  received: { path: string; auth: string | undefined; event: RunEvent }[];
  script: number[];
  close(): Promise<void>;
}

async function fakeMarquez(): Promise<FakeMarquez> {
  const received: FakeMarquez['received'] = [];
  const script: number[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const status = script.shift() ?? 201;
      if (status < 300)
        received.push({
          path: req.url ?? '',
          auth: req.headers['authorization'],
          event: JSON.parse(Buffer.concat(chunks).toString('utf8')) as RunEvent,
        });
      res
        .writeHead(status, { 'content-type': 'application/json' })
        .end(status < 300 ? '' : '{"code":400}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    script,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

describe('lineage transports', () => {
  let marquez: FakeMarquez;
  let dir: string;
  beforeEach(async () => {
    marquez = await fakeMarquez();
    dir = makeTempDir();
  });
  afterEach(async () => {
    await marquez.close();
    removeDir(dir);
  });

  it('posts to /api/v1/lineage, retrying 5xx but not 4xx', async () => {
    expect(lineageEndpoint('http://m:5000')).toBe('http://m:5000/api/v1/lineage');
    expect(lineageEndpoint('http://m:5000/custom/path')).toBe('http://m:5000/custom/path');
    expect(() => lineageEndpoint('ftp://m')).toThrow(ObserveLineageConfigInvalidError);
    expect(() => lineageEndpoint('nope')).toThrow(/MARKETLAKE_LINEAGE_URL/);
    const t = httpLineageTransport({ url: marquez.url, apiKey: 'k1', retryDelayMs: 5 });
    const event = buildRunEvent('START', T, attempt);
    marquez.script.push(503, 500);
    await t.send(event);
    expect(marquez.received).toEqual([{ path: '/api/v1/lineage', auth: 'Bearer k1', event }]);
    marquez.script.push(400);
    const err = await t.send(event).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ObserveLineageDeliveryError);
    expect((err as Error).message).toMatch(/answered 400/);
    expect(marquez.received).toHaveLength(1);
    marquez.script.push(503, 503);
    const few = httpLineageTransport({ url: marquez.url, attempts: 2, retryDelayMs: 5 });
    await expect(few.send(event)).rejects.toThrow(/answered 503/);
    const down = httpLineageTransport({ url: 'http://127.0.0.1:9', attempts: 2, retryDelayMs: 5 });
    await expect(down.send(event)).rejects.toThrow(/did not answer/);
  });

  it('appends JSON lines to a file, in order', async () => {
    const file = path.join(dir, 'nested', 'lineage.jsonl');
    const t = await fileLineageTransport(file);
    const events = (['START', 'COMPLETE'] as const).map((type) => buildRunEvent(type, T, attempt));
    await Promise.all(events.map((e) => t.send(e)));
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as RunEvent).eventType)).toEqual(['START', 'COMPLETE']);
    // A path under a regular file cannot be created.
    await expect(fileLineageTransport(path.join(file, 'x.jsonl'))).rejects.toThrow(
      ObserveLineageConfigInvalidError,
    );
  });

  it('emits through every transport in order, and drops invalid events', async () => {
    expect(await createLineage({})).toBe(NOOP_LINEAGE);
    const file = path.join(dir, 'l.jsonl');
    const lineage = await createLineage({
      url: marquez.url,
      file,
      naming: { namespace: 'desk' },
      http: { retryDelayMs: 5 },
    });
    expect(lineage.targets).toEqual([`${marquez.url}/api/v1/lineage`, path.resolve(file)]);
    marquez.script.push(502);
    lineage.emit('START', T, attempt);
    lineage.emit('FAIL', new Date(T.getTime() + 1000), { ...attempt, error: { message: 'x' } });
    lineage.send({ ...buildRunEvent('COMPLETE', T, attempt), producer: 'no uri' });
    await lineage.flush();
    expect(marquez.received.map((r) => r.event.eventType)).toEqual(['START', 'FAIL']);
    for (const r of marquez.received) expect(validateRunEvent(r.event)).toEqual([]);
    expect(marquez.received[0]?.event.job).toMatchObject({ namespace: 'desk', name: 'prices' });
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as RunEvent).eventType)).toEqual(['START', 'FAIL']);
    expect(lineage.stats).toEqual({ sent: 4, failed: 0, dropped: 0, invalid: 1 });
  });

  it('counts undeliverable events and drops past maxPending without blocking', async () => {
    const lineage = await createLineage({
      url: 'http://127.0.0.1:9',
      http: { attempts: 1 },
      maxPending: 2,
    });
    for (let i = 0; i < 5; i++) lineage.emit('START', T, { ...attempt, attemptId: `a${i}` });
    await lineage.flush();
    expect(lineage.stats).toEqual({ sent: 0, failed: 2, dropped: 3, invalid: 0 });
  });
});
