/**
 * OTLP/HTTP's default encoding: an `ExportTraceServiceRequest` as protocol buffers
 * (opentelemetry-proto, `collector/trace/v1`), written field by field into one growing buffer.
 * Ids are written as their bytes rather than hex, numbers as varints or fixed-width values, so a
 * span is about half its JSON size and costs no UTF-8 conversion of a whole request.
 *
 * A nested message is written after a one-byte length and moved right when it turns out longer
 * than 127 bytes: cheaper than measuring every message before writing it.
 */
import type { FinishedSpan } from './otlp-exporter.js';
import type { SpanAttributes } from './span-inputs.js';

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LEN = 2;

// Field numbers of opentelemetry/proto (trace/v1, common/v1, resource/v1, collector/trace/v1).
const REQUEST_RESOURCE_SPANS = 1;
const RESOURCE_SPANS_RESOURCE = 1;
const RESOURCE_SPANS_SCOPE_SPANS = 2;
const RESOURCE_ATTRIBUTES = 1;
const SCOPE_SPANS_SCOPE = 1;
const SCOPE_SPANS_SPANS = 2;
const SCOPE_NAME = 1;
const SCOPE_VERSION = 2;
const SPAN_TRACE_ID = 1;
const SPAN_SPAN_ID = 2;
const SPAN_PARENT_SPAN_ID = 4;
const SPAN_NAME = 5;
const SPAN_KIND = 6;
const SPAN_START = 7;
const SPAN_END = 8;
const SPAN_ATTRIBUTES = 9;
const SPAN_STATUS = 15;
const STATUS_MESSAGE = 2;
const STATUS_CODE = 3;
const KEY_VALUE_KEY = 1;
const KEY_VALUE_VALUE = 2;
const ANY_STRING = 1;
const ANY_BOOL = 2;
const ANY_INT = 3;
const ANY_DOUBLE = 4;

const STATUS_ERROR = 2;

/** A growing buffer that protocol-buffer fields are appended to. */
class ProtoWriter {
  buf = Buffer.allocUnsafe(64 * 1024);
  pos = 0;

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** An unsigned integer up to 2^53 as a varint. */
  varint(n: number): void {
    this.ensure(10);
    while (n >= 0x80) {
      this.buf[this.pos++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    this.buf[this.pos++] = n;
  }

  tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }

  string(field: number, s: string): void {
    const length = Buffer.byteLength(s);
    this.tag(field, WIRE_LEN);
    this.varint(length);
    this.ensure(length);
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  /** Hex digits as the bytes they spell (ids). */
  hexBytes(field: number, hex: string): void {
    this.tag(field, WIRE_LEN);
    this.varint(hex.length >> 1);
    this.ensure(hex.length >> 1);
    this.pos += this.buf.write(hex, this.pos, 'hex');
  }

  /** Bytes prepared once (a field that repeats, such as an attribute's key). */
  raw(bytes: Buffer): void {
    this.ensure(bytes.length);
    bytes.copy(this.buf, this.pos);
    this.pos += bytes.length;
  }

  /** Epoch milliseconds as fixed64 nanoseconds (microsecond precision; not a time: 0). */
  nanos(field: number, ms: number): void {
    this.tag(field, WIRE_FIXED64);
    this.ensure(8);
    const micros = Number.isFinite(ms) && ms > 0 ? Math.round(ms * 1000) : 0;
    this.buf.writeBigUInt64LE(BigInt(micros) * 1000n, this.pos);
    this.pos += 8;
  }

  double(field: number, v: number): void {
    this.tag(field, WIRE_FIXED64);
    this.ensure(8);
    this.buf.writeDoubleLE(v, this.pos);
    this.pos += 8;
  }

  /** Opens a nested message; returns where its length goes, for `end`. */
  begin(field: number): number {
    this.tag(field, WIRE_LEN);
    this.ensure(1);
    return this.pos++;
  }

  /** Closes the message opened at `at`: writes its length, moving it right if that takes more bytes. */
  end(at: number): void {
    const length = this.pos - at - 1;
    if (length < 0x80) {
      this.buf[at] = length;
      return;
    }
    let width = 1;
    for (let n = length; n >= 0x80; n = Math.floor(n / 0x80)) width++;
    this.ensure(width - 1);
    this.buf.copyWithin(at + width, at + 1, this.pos);
    this.pos += width - 1;
    const end = this.pos;
    this.pos = at;
    this.varint(length);
    this.pos = end;
  }

  bytes(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

/** `KeyValue.key` fields, encoded once per name: spans repeat the same few dozen names. */
const keyFields = new Map<string, Buffer>();
const KEY_FIELDS_KEPT = 4096;

function keyField(key: string): Buffer {
  let field = keyFields.get(key);
  if (field === undefined) {
    const w = new ProtoWriter();
    w.string(KEY_VALUE_KEY, key);
    field = Buffer.from(w.bytes());
    if (keyFields.size < KEY_FIELDS_KEPT) keyFields.set(key, field);
  }
  return field;
}

function attributes(w: ProtoWriter, field: number, attrs: SpanAttributes): void {
  for (const key in attrs) {
    const v = attrs[key];
    // Absent from the type, possible from JavaScript callers: an unset attribute is left out.
    if (v === undefined) continue;
    const kv = w.begin(field);
    w.raw(keyField(key));
    const any = w.begin(KEY_VALUE_VALUE);
    if (typeof v === 'string') w.string(ANY_STRING, v);
    else if (typeof v === 'boolean') {
      w.tag(ANY_BOOL, WIRE_VARINT);
      w.varint(v ? 1 : 0);
    } else if (Number.isSafeInteger(v) && v >= 0) {
      w.tag(ANY_INT, WIRE_VARINT);
      w.varint(v);
    } else if (Number.isSafeInteger(v)) {
      // Negative int64: ten-byte two's complement varint.
      w.tag(ANY_INT, WIRE_VARINT);
      let n = BigInt.asUintN(64, BigInt(v));
      w.ensure(10);
      while (n >= 0x80n) {
        w.buf[w.pos++] = Number(n & 0x7fn) | 0x80;
        n >>= 7n;
      }
      w.buf[w.pos++] = Number(n);
    } else w.double(ANY_DOUBLE, v);
    w.end(any);
    w.end(kv);
  }
}

function span(w: ProtoWriter, s: FinishedSpan): void {
  const at = w.begin(SCOPE_SPANS_SPANS);
  w.hexBytes(SPAN_TRACE_ID, s.traceId);
  w.hexBytes(SPAN_SPAN_ID, s.spanId);
  if (s.parentSpanId !== undefined) w.hexBytes(SPAN_PARENT_SPAN_ID, s.parentSpanId);
  w.string(SPAN_NAME, s.name);
  w.tag(SPAN_KIND, WIRE_VARINT);
  w.varint(s.kind);
  w.nanos(SPAN_START, s.startMs);
  w.nanos(SPAN_END, s.endMs);
  attributes(w, SPAN_ATTRIBUTES, s.attributes);
  if (s.error !== undefined) {
    const status = w.begin(SPAN_STATUS);
    w.string(STATUS_MESSAGE, s.error);
    w.tag(STATUS_CODE, WIRE_VARINT);
    w.varint(STATUS_ERROR);
    w.end(status);
  }
  w.end(at);
}

/** The protocol-buffer body of one export request. */
export function exportRequestProtobuf(
  spans: readonly FinishedSpan[],
  resource: SpanAttributes,
  scope: { name: string; version: string },
): Buffer {
  const w = new ProtoWriter();
  const resourceSpans = w.begin(REQUEST_RESOURCE_SPANS);
  const res = w.begin(RESOURCE_SPANS_RESOURCE);
  attributes(w, RESOURCE_ATTRIBUTES, resource);
  w.end(res);
  const scopeSpans = w.begin(RESOURCE_SPANS_SCOPE_SPANS);
  const sc = w.begin(SCOPE_SPANS_SCOPE);
  w.string(SCOPE_NAME, scope.name);
  w.string(SCOPE_VERSION, scope.version);
  w.end(sc);
  for (const s of spans) span(w, s);
  w.end(scopeSpans);
  w.end(resourceSpans);
  return w.bytes();
}
