import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeExportTraceRequest } from '../../../test/helpers/otlp-protobuf.js';
import {
  OtlpExporter,
  SPAN_KIND,
  exportRequestJson,
  type FinishedSpan,
  type OtlpProtocol,
} from './otlp-exporter.js';
import { exportRequestProtobuf } from './otlp-protobuf.js';

const T0 = Date.parse('2024-03-15T12:00:00.000Z');

function span(i: number, extra: Partial<FinishedSpan> = {}): FinishedSpan {
  return {
    traceId: 'a'.repeat(32),
    spanId: i.toString(16).padStart(16, '0'),
    name: `span ${i}`,
    kind: SPAN_KIND.internal,
    startMs: T0 + i,
    endMs: T0 + i + 0.5,
    attributes: { i },
    ...extra,
  };
}

interface Collector {
  url: string;
  bodies: { spans: { name: string }[]; headers: IncomingMessage['headers'] }[];
  answers: number[];
  server: Server;
}

/** A receiver that answers with the queued status codes (then 200) and keeps every body. */
async function collector(answers: number[] = []): Promise<Collector> {
  const c: Collector = { url: '', bodies: [], answers, server: createServer() };
  c.server.on('request', (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      const status = c.answers.shift() ?? 200;
      if (status === 200) {
        const raw = Buffer.concat(chunks);
        const body = (
          req.headers['content-type'] === 'application/x-protobuf'
            ? decodeExportTraceRequest(raw)
            : JSON.parse(raw.toString('utf8'))
        ) as { resourceSpans: { scopeSpans: { spans: { name: string }[] }[] }[] };
        c.bodies.push({ spans: body.resourceSpans[0]!.scopeSpans[0]!.spans, headers: req.headers });
      }
      res.writeHead(status, status === 429 ? { 'retry-after': '0' } : {}).end('{}');
    });
  });
  await new Promise<void>((resolve) => c.server.listen(0, '127.0.0.1', resolve));
  c.url = `http://127.0.0.1:${(c.server.address() as AddressInfo).port}/v1/traces`;
  return c;
}

const open: { exporter: OtlpExporter; c: Collector }[] = [];
afterEach(async () => {
  for (const { exporter, c } of open.splice(0)) {
    await exporter.shutdown();
    await new Promise((resolve) => c.server.close(resolve));
  }
});

function exporterFor(
  c: Collector,
  warnings: string[],
  extra: { maxBatch?: number; maxQueue?: number; protocol?: OtlpProtocol } = {},
) {
  const exporter = new OtlpExporter({
    url: c.url,
    headers: { authorization: 'Bearer k' },
    resource: { 'service.name': 'test' },
    scope: { name: 'marketlake', version: '0.0.0' },
    delayMs: 60_000,
    timeoutMs: 2_000,
    retryDelayMs: 10,
    warn: (m) => warnings.push(m),
    ...extra,
  });
  open.push({ exporter, c });
  return exporter;
}

describe('exportRequestJson', () => {
  it('writes an OTLP ExportTraceServiceRequest in JSON, with every value type', () => {
    const body = exportRequestJson(
      [
        span(1, {
          parentSpanId: 'b'.repeat(16),
          name: 'quote " and \n newline',
          attributes: { s: 'x"y', n: 3, d: 0.25, b: false, nan: Number.NaN, inf: -Infinity },
          error: 'it "failed"',
        }),
        span(2),
      ],
      { 'service.name': 'svc' },
      { name: 'marketlake', version: '1.2.3' },
    );
    const parsed = JSON.parse(body) as {
      resourceSpans: {
        resource: { attributes: unknown[] };
        scopeSpans: { scope: unknown; spans: Record<string, unknown>[] }[];
      }[];
    };
    const rs = parsed.resourceSpans[0]!;
    expect(rs.resource.attributes).toEqual([
      { key: 'service.name', value: { stringValue: 'svc' } },
    ]);
    expect(rs.scopeSpans[0]!.scope).toEqual({ name: 'marketlake', version: '1.2.3' });
    const [first, second] = rs.scopeSpans[0]!.spans;
    expect(first).toEqual({
      traceId: 'a'.repeat(32),
      spanId: '0000000000000001',
      parentSpanId: 'b'.repeat(16),
      name: 'quote " and \n newline',
      kind: 1,
      startTimeUnixNano: String(BigInt(T0 + 1) * 1_000_000n),
      endTimeUnixNano: String(BigInt(T0 + 1) * 1_000_000n + 500_000n),
      attributes: [
        { key: 's', value: { stringValue: 'x"y' } },
        { key: 'n', value: { intValue: 3 } },
        { key: 'd', value: { doubleValue: 0.25 } },
        { key: 'b', value: { boolValue: false } },
        { key: 'nan', value: { doubleValue: 'NaN' } },
        { key: 'inf', value: { doubleValue: '-Infinity' } },
      ],
      status: { code: 2, message: 'it "failed"' },
    });
    expect(second).not.toHaveProperty('parentSpanId');
    expect(second!['status']).toEqual({ code: 0 });
  });
});

describe('exportRequestProtobuf', () => {
  const resource = { 'service.name': 'svc', 'process.pid': 4242 };
  const scope = { name: 'marketlake', version: '1.2.3' };
  // Attributes of every type and size: negative and 2^53 integers, non-finite doubles, text
  // beyond ASCII, and values long enough to need two- and three-byte lengths.
  const attributes = {
    s: 'x"y — 가격',
    n: 3,
    neg: -7,
    max: Number.MAX_SAFE_INTEGER,
    d: 0.25,
    b: true,
    f: false,
    nan: Number.NaN,
    inf: -Infinity,
    long: 'p'.repeat(300),
    longer: 'q'.repeat(20_000),
  };
  const spans = [
    span(1, { parentSpanId: 'b'.repeat(16), name: 'quote " and \n newline', attributes }),
    span(2, { error: 'it "failed"' }),
    // What a JavaScript caller may pass despite the types: no time, an unset attribute.
    span(3, { startMs: Number.NaN, attributes: { u: undefined as never, k: 1 } }),
    ...Array.from({ length: 200 }, (_, i) => span(4 + i)),
  ];

  it('carries what the JSON encoding carries, read back by an independent decoder', () => {
    const fromProto = decodeExportTraceRequest(exportRequestProtobuf(spans, resource, scope));
    const fromJson = JSON.parse(exportRequestJson(spans, resource, scope)) as unknown;
    // The encodings differ only in how JSON must spell some numbers: 64-bit integers may be
    // strings, non-finite doubles are strings. Compare both in one spelling.
    const same = (v: unknown): unknown =>
      JSON.parse(
        JSON.stringify(v, (key, value: unknown) =>
          key === 'intValue'
            ? String(value)
            : key === 'doubleValue' && typeof value === 'number' && !Number.isFinite(value)
              ? String(value)
              : value,
        ),
      );
    expect(same(fromProto)).toEqual(same(fromJson));
    const first = fromProto.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    expect(first.attributes.find((a) => a.key === 'longer')!.value.stringValue).toHaveLength(
      20_000,
    );
    expect(first.startTimeUnixNano).toBe(String(BigInt(T0 + 1) * 1_000_000n));
    const third = fromProto.resourceSpans[0]!.scopeSpans[0]!.spans[2]!;
    expect(third.startTimeUnixNano).toBe('0');
    expect(third.attributes).toEqual([{ key: 'k', value: { intValue: '1' } }]);
  });

  it('is about half the size of the JSON encoding', () => {
    const small = Array.from({ length: 100 }, (_, i) => span(i, { attributes: { i, ok: true } }));
    const proto = exportRequestProtobuf(small, resource, scope).length;
    const json = Buffer.byteLength(exportRequestJson(small, resource, scope));
    expect(proto).toBeLessThan(json * 0.6);
  });
});

describe('OtlpExporter', () => {
  it('sends full batches at once and the rest on flush, with the configured headers', async () => {
    const c = await collector();
    const warnings: string[] = [];
    const exporter = exporterFor(c, warnings, { maxBatch: 4 });
    for (let i = 0; i < 10; i++) exporter.add(span(i));
    await exporter.flush();
    expect(c.bodies.map((b) => b.spans.length)).toEqual([4, 4, 2]);
    expect(c.bodies.flatMap((b) => b.spans.map((s) => s.name))).toEqual(
      Array.from({ length: 10 }, (_, i) => `span ${i}`),
    );
    expect(c.bodies[0]!.headers).toMatchObject({
      authorization: 'Bearer k',
      'content-type': 'application/x-protobuf',
    });
    expect(warnings).toEqual([]);
  });

  it('sends JSON when the protocol says http/json', async () => {
    const c = await collector();
    const exporter = exporterFor(c, [], { protocol: 'http/json' });
    exporter.add(span(1));
    await exporter.flush();
    expect(c.bodies[0]!.headers['content-type']).toBe('application/json');
    expect(c.bodies[0]!.spans.map((s) => s.name)).toEqual(['span 1']);
  });

  it('sends a partial batch after the delay without a flush', async () => {
    const c = await collector();
    const exporter = new OtlpExporter({
      url: c.url,
      resource: {},
      scope: { name: 'marketlake', version: '0' },
      delayMs: 20,
      timeoutMs: 2_000,
      warn: () => undefined,
    });
    open.push({ exporter, c });
    exporter.add(span(1));
    const deadline = Date.now() + 5_000;
    while (c.bodies.length === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10));
    expect(c.bodies.map((b) => b.spans.length)).toEqual([1]);
  });

  it('retries 503 and 429 answers, and warns when a batch cannot be delivered', async () => {
    const c = await collector([503, 429]);
    const warnings: string[] = [];
    const exporter = exporterFor(c, warnings);
    exporter.add(span(1));
    await exporter.flush();
    expect(c.bodies).toHaveLength(1);
    expect(warnings).toEqual([]);

    c.answers.push(400);
    exporter.add(span(2));
    await exporter.flush();
    expect(c.bodies).toHaveLength(1);
    expect(warnings).toEqual([`export of 1 span(s) to ${c.url} failed: HTTP 400`]);
  });

  it('warns when the collector is unreachable, and the platform goes on', async () => {
    const c = await collector();
    await new Promise((resolve) => c.server.close(resolve));
    const warnings: string[] = [];
    const exporter = new OtlpExporter({
      url: c.url,
      resource: {},
      scope: { name: 'marketlake', version: '0' },
      delayMs: 60_000,
      timeoutMs: 500,
      retryDelayMs: 10,
      warn: (m) => warnings.push(m),
    });
    exporter.add(span(1));
    await exporter.flush();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^export of 1 span\(s\) to http:\/\/127\.0\.0\.1:\d+\/v1\/traces failed: .*ECONNREFUSED/,
    );
    await exporter.shutdown();
  });

  it('drops spans beyond the queue bound and says how many', async () => {
    const c = await collector();
    const warnings: string[] = [];
    const exporter = exporterFor(c, warnings, { maxBatch: 100, maxQueue: 5 });
    for (let i = 0; i < 8; i++) exporter.add(span(i));
    await exporter.flush();
    expect(c.bodies.map((b) => b.spans.length)).toEqual([5]);
    expect(warnings).toEqual([
      `3 span(s) dropped: more than 5 waited for ${c.url}. Check that the collector keeps up.`,
    ]);
  });

  it('drops spans added after shutdown', async () => {
    const c = await collector();
    const exporter = exporterFor(c, []);
    exporter.add(span(1));
    await exporter.shutdown();
    exporter.add(span(2));
    await exporter.flush();
    expect(c.bodies.flatMap((b) => b.spans.map((s) => s.name))).toEqual(['span 1']);
  });
});
