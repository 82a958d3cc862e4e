import { describe, expect, it } from 'vitest';
import { UsageError } from '../core/index.js';
import { HTTP_TRACE_SAMPLE_ENV, httpTraceSampleEvery } from './tracing-hooks.js';

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
