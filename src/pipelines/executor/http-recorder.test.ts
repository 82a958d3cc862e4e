import { describe, expect, it } from 'vitest';
import { reportOutboundHttp } from '../../core/index.js';
import { secretRedactor } from './attempt-channel.js';
import { HttpRequestRecorder } from './http-recorder.js';

const T0 = Date.parse('2024-03-15T12:00:00.000Z');
const ok = { method: 'GET', status: 200, startMs: T0, endMs: T0 + 5, resendCount: 0 };

describe('HttpRequestRecorder', () => {
  it('keeps the first requests up to its bound and counts the rest', () => {
    const recorder = new HttpRequestRecorder((t) => t, 3);
    recorder.start();
    for (let i = 0; i < 5; i++) reportOutboundHttp(`https://api.example.com/page/${i}`, ok);
    const recorded = recorder.stop();
    reportOutboundHttp('https://api.example.com/after', ok);
    expect(recorded?.requests.map((r) => r.path)).toEqual(['/page/0', '/page/1', '/page/2']);
    expect(recorded?.unrecorded).toBe(2);
  });

  it('records nothing outside start and stop, and answers undefined without requests', () => {
    const recorder = new HttpRequestRecorder((t) => t);
    reportOutboundHttp('https://api.example.com/before', ok);
    recorder.start();
    expect(recorder.stop()).toBeUndefined();
  });

  it("masks the attempt's secret values in paths and messages", () => {
    const recorder = new HttpRequestRecorder(secretRedactor({ key: 'tok-98765' }));
    recorder.start();
    reportOutboundHttp('https://api.example.com/v1/tok-98765/series', {
      ...ok,
      errorType: '401',
      error: 'key tok-98765 refused',
    });
    const [request] = recorder.stop()?.requests ?? [];
    expect(request).toMatchObject({
      path: '/v1/[redacted]/series',
      error: 'key [redacted] refused',
    });
  });
});
