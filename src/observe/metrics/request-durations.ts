import type { CompactHistogram, HistogramChild } from './compact-instruments.js';
import { httpStatusCode, labelValue, seconds } from './metric-values.js';

const AT = 'metrics.httpRequest';
/** Methods recorded by name; any other is `OTHER`, so a client cannot add series at will. */
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/**
 * The request-duration histogram's series, bound once per route, method and status code: a busy
 * API records thousands of requests a second into a few dozen series, so each request costs two
 * map lookups by route and a number instead of building and joining a label key.
 */
export class RequestDurations {
  private readonly byRoute = new Map<string, Map<number, HistogramChild>>();

  constructor(private readonly histogram: CompactHistogram<'method' | 'route' | 'code'>) {}

  /** Records one answered request (checks as `PlatformMetrics.httpRequest` documents). */
  observe(method: string, route: string, status: number, durationSeconds: number): void {
    const duration = seconds(AT, 'durationSeconds', durationSeconds);
    const code = httpStatusCode(AT, 'status', status);
    let byCode = this.byRoute.get(route);
    if (byCode === undefined) {
      byCode = new Map();
      this.byRoute.set(labelValue(AT, 'route', route), byCode);
    }
    const m = METHODS.indexOf(method);
    // Codes are 100-599, so method and code fit one small integer key.
    const key = (m + 1) * 1000 + code;
    let child = byCode.get(key);
    if (child === undefined) {
      const labels = { method: m < 0 ? 'OTHER' : method, route, code: String(code) };
      child = this.histogram.child(labels);
      byCode.set(key, child);
    }
    child.observe(duration);
  }
}
