import { UsageError } from '../../core/index.js';

/** An integer query-string parameter, or undefined when absent; names the parameter when it is wrong. */
export function intParam(value: unknown, name: string, min = 0): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (
    typeof value !== 'string' ||
    !/^\d+$/.test(value.trim()) ||
    !Number.isSafeInteger(n) ||
    n < min
  ) {
    throw new UsageError(
      `Query parameter ${name}=${JSON.stringify(value)} must be an integer >= ${min}.`,
      { details: { parameter: name, value } },
    );
  }
  return n;
}

/** The JSON body as an object (an absent body is `{}` when `optional`); anything else is a usage error. */
export function bodyObject(
  body: unknown,
  expected: string,
  optional = false,
): Record<string, unknown> {
  if (body === undefined || body === null) {
    if (optional) return {};
  } else if (typeof body === 'object' && !Array.isArray(body))
    return body as Record<string, unknown>;
  throw new UsageError(`Body must be a JSON object: ${expected}.`);
}

/** An optional integer body field >= `min`. */
export function intField(body: Record<string, unknown>, name: string, min = 0): number | undefined {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) {
    throw new UsageError(
      `Body field "${name}" must be an integer >= ${min}, got ${JSON.stringify(v)}.`,
      { details: { field: name } },
    );
  }
  return v;
}

/** An optional string body field, limited to `allowed` when given. */
export function stringField<T extends string = string>(
  body: Record<string, unknown>,
  name: string,
  allowed?: readonly T[],
): T | undefined {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || (allowed && !allowed.includes(v as T))) {
    const accepts = allowed ? `one of ${allowed.join(', ')}` : 'a string';
    throw new UsageError(`Body field "${name}" must be ${accepts}, got ${JSON.stringify(v)}.`, {
      details: { field: name },
    });
  }
  return v as T;
}

/** An optional boolean body field. */
export function booleanField(body: Record<string, unknown>, name: string): boolean | undefined {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean')
    throw new UsageError(`Body field "${name}" must be true or false, got ${JSON.stringify(v)}.`, {
      details: { field: name },
    });
  return v;
}

/** An optional body field holding an object of strings (`{ "symbol": "code" }`). */
export function stringMapField(
  body: Record<string, unknown>,
  name: string,
): Record<string, string> | undefined {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  if (
    typeof v !== 'object' ||
    Array.isArray(v) ||
    Object.values(v).some((x) => typeof x !== 'string')
  ) {
    throw new UsageError(
      `Body field "${name}" must be an object of strings, got ${JSON.stringify(v)}.`,
      { details: { field: name } },
    );
  }
  return v as Record<string, string>;
}

/** Rejects body fields a route does not know, so a typo is not silently ignored. */
export function onlyFields(body: Record<string, unknown>, known: readonly string[]): void {
  const unknown = Object.keys(body).filter((k) => !known.includes(k));
  if (unknown.length > 0) {
    throw new UsageError(
      `Unknown body field(s) ${unknown.map((k) => `"${k}"`).join(', ')}. Accepted: ${known.join(', ')}.`,
      { details: { fields: unknown } },
    );
  }
}
