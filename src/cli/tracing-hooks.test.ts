import { describe, expect, it } from 'vitest';
import { UsageError, createLogger } from '../core/index.js';
import {
  HTTP_TRACE_SAMPLE_ENV,
  OTLP_ENDPOINT_ENV,
  OTLP_PROTOCOL_ENV,
  httpTraceSampleEvery,
  openTracing,
} from './tracing-hooks.js';

/* The API's span sampling rate from the environment. */

describe('httpTraceSampleEvery', () => {
  it('traces one plain request in a hundred unless told otherwise', () => {
    expect(httpTraceSampleEvery({})).toBe(100);
    expect(httpTraceSampleEvery({ [HTTP_TRACE_SAMPLE_ENV]: '' })).toBe(100);
    expect(httpTraceSampleEvery({ [HTTP_TRACE_SAMPLE_ENV]: '1' })).toBe(1);
    expect(httpTraceSampleEvery({ [HTTP_TRACE_SAMPLE_ENV]: '10' })).toBe(10);
  });

  it('refuses what is not a whole number of at least 1', () => {
    for (const raw of ['0', '-3', '2.5', 'ten'])
      expect(() => httpTraceSampleEvery({ [HTTP_TRACE_SAMPLE_ENV]: raw })).toThrow(UsageError);
  });
});

describe('openTracing', () => {
  const logger = createLogger({ level: 'silent' });

  it('refuses an encoding other than http/protobuf and http/json, naming both', async () => {
    const env = { [OTLP_ENDPOINT_ENV]: 'http://127.0.0.1:4318', [OTLP_PROTOCOL_ENV]: 'grpc' };
    await expect(openTracing('t', logger, env)).rejects.toThrow(UsageError);
    await expect(openTracing('t', logger, env)).rejects.toThrow(
      'MARKETLAKE_OTLP_PROTOCOL=grpc: use http/protobuf or http/json',
    );
  });

  it('is the no-op without an endpoint, whatever the encoding', async () => {
    const tracing = await openTracing('t', logger, { [OTLP_PROTOCOL_ENV]: 'http/json' });
    expect(tracing.enabled).toBe(false);
  });
});
