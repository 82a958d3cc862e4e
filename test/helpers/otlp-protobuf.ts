/**
 * Reads an OTLP `ExportTraceServiceRequest` in protocol buffers into the shape of its JSON
 * encoding (ids as hex, times as decimal nanoseconds), for the test receivers. Written from the
 * opentelemetry-proto field numbers and the protobuf wire format, independently of the encoder.
 */

type Field = { wire: 0; value: bigint } | { wire: 1; value: Buffer } | { wire: 2; value: Buffer };

/** The fields of one message, by number, in order. */
function fields(buf: Buffer): Map<number, Field[]> {
  const out = new Map<number, Field[]>();
  let pos = 0;
  const varint = (): bigint => {
    let n = 0n;
    let shift = 0n;
    for (;;) {
      if (pos >= buf.length) throw new Error('protobuf: truncated varint');
      const b = buf[pos++]!;
      n |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return n;
      shift += 7n;
    }
  };
  while (pos < buf.length) {
    const key = Number(varint());
    const number = key >> 3;
    const wire = key & 7;
    let field: Field;
    if (wire === 0) field = { wire, value: varint() };
    else if (wire === 1) {
      field = { wire, value: buf.subarray(pos, pos + 8) };
      pos += 8;
    } else if (wire === 2) {
      const length = Number(varint());
      if (pos + length > buf.length) throw new Error('protobuf: field longer than its message');
      field = { wire, value: buf.subarray(pos, pos + length) };
      pos += length;
    } else if (wire === 5) {
      pos += 4;
      continue;
    } else throw new Error(`protobuf: unexpected wire type ${wire} of field ${number}`);
    const list = out.get(number) ?? [];
    list.push(field);
    out.set(number, list);
  }
  return out;
}

const bytesOf = (f: Map<number, Field[]>, n: number): Buffer[] =>
  (f.get(n) ?? []).map((x) => {
    if (x.wire !== 2) throw new Error(`protobuf: field ${n} is not length-delimited`);
    return x.value;
  });
const one = (f: Map<number, Field[]>, n: number): Buffer | undefined => bytesOf(f, n).at(-1);
const text = (f: Map<number, Field[]>, n: number): string | undefined =>
  one(f, n)?.toString('utf8');
const varintOf = (f: Map<number, Field[]>, n: number): bigint | undefined => {
  const x = f.get(n)?.at(-1);
  return x?.wire === 0 ? x.value : undefined;
};
const fixed = (f: Map<number, Field[]>, n: number): Buffer | undefined => {
  const x = f.get(n)?.at(-1);
  return x?.wire === 1 ? x.value : undefined;
};

interface JsonAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string;
  doubleValue?: number;
}

function anyValue(buf: Buffer): JsonAnyValue {
  const f = fields(buf);
  if (f.has(1)) return { stringValue: text(f, 1)! };
  if (f.has(2)) return { boolValue: varintOf(f, 2) === 1n };
  if (f.has(3)) return { intValue: BigInt.asIntN(64, varintOf(f, 3)!).toString() };
  if (f.has(4)) return { doubleValue: fixed(f, 4)!.readDoubleLE(0) };
  return {};
}

function keyValues(list: Buffer[]): { key: string; value: JsonAnyValue }[] {
  return list.map((kv) => {
    const f = fields(kv);
    const value = one(f, 2);
    return { key: text(f, 1) ?? '', value: value ? anyValue(value) : {} };
  });
}

/** The request, shaped as its OTLP JSON encoding. */
export function decodeExportTraceRequest(body: Buffer) {
  return {
    resourceSpans: bytesOf(fields(body), 1).map((rsBuf) => {
      const rs = fields(rsBuf);
      const resource = one(rs, 1);
      return {
        resource: { attributes: keyValues(resource ? bytesOf(fields(resource), 1) : []) },
        scopeSpans: bytesOf(rs, 2).map((ssBuf) => {
          const ss = fields(ssBuf);
          const scope = one(ss, 1);
          const sf = scope ? fields(scope) : new Map<number, Field[]>();
          return {
            scope: { name: text(sf, 1) ?? '', version: text(sf, 2) ?? '' },
            spans: bytesOf(ss, 2).map((spanBuf) => {
              const s = fields(spanBuf);
              const status = one(s, 15);
              const st = status ? fields(status) : new Map<number, Field[]>();
              const parent = one(s, 4);
              const message = text(st, 2);
              return {
                traceId: one(s, 1)?.toString('hex') ?? '',
                spanId: one(s, 2)?.toString('hex') ?? '',
                ...(parent !== undefined && parent.length > 0
                  ? { parentSpanId: parent.toString('hex') }
                  : {}),
                name: text(s, 5) ?? '',
                kind: Number(varintOf(s, 6) ?? 0n),
                startTimeUnixNano: (fixed(s, 7)?.readBigUInt64LE(0) ?? 0n).toString(),
                endTimeUnixNano: (fixed(s, 8)?.readBigUInt64LE(0) ?? 0n).toString(),
                attributes: keyValues(bytesOf(s, 9)),
                status: {
                  code: Number(varintOf(st, 3) ?? 0n),
                  ...(message !== undefined ? { message } : {}),
                },
              };
            }),
          };
        }),
      };
    }),
  };
}
