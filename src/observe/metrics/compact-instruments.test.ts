import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { CompactCounter, CompactGauge, CompactHistogram } from './compact-instruments.js';
import { renderExposition } from './render-exposition.js';

/*
 * The compact instruments against prom-client's own: the same observations must render the same
 * text (prom-client is the reference for the format), through both our renderer and
 * prom-client's `registry.metrics()`.
 */

const BUCKETS = [0.01, 0.5, 10];
const ODD = 'a "quoted"\\ value\nwith a newline';

describe('compact instruments', () => {
  it('render counters, gauges and histograms exactly as prom-client does', async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const c1 = new CompactCounter('c_total', 'A counter.', ['asset', 'state'], ours);
    const c2 = new Counter({
      name: 'c_total',
      help: 'A counter.',
      labelNames: ['asset', 'state'],
      registers: [theirs],
    });
    const g1 = new CompactGauge('g_bytes', 'A gauge.', ['asset'], ours);
    const g2 = new Gauge({
      name: 'g_bytes',
      help: 'A gauge.',
      labelNames: ['asset'],
      registers: [theirs],
    });
    const h1 = new CompactHistogram('h_seconds', 'A histogram.', ['asset'], BUCKETS, ours);
    const h2 = new Histogram({
      name: 'h_seconds',
      help: 'A histogram.',
      labelNames: ['asset'],
      buckets: BUCKETS,
      registers: [theirs],
    });
    const u1 = new CompactHistogram('u_seconds', 'Unlabelled.', [], BUCKETS, ours);
    const u2 = new Histogram({
      name: 'u_seconds',
      help: 'Unlabelled.',
      buckets: BUCKETS,
      registers: [theirs],
    });
    for (const [asset, v] of [
      ['x', 0.01],
      ['x', 0.2],
      [ODD, 11],
      ['x', 10],
      ['y', 0],
    ] as const) {
      c1.inc({ asset, state: 'ok' }, v);
      c2.inc({ asset, state: 'ok' }, v);
      g1.set({ asset }, v);
      g2.set({ asset }, v);
      h1.observe({ asset }, v);
      h2.observe({ asset }, v);
      u1.observe({}, v);
      u2.observe(v);
    }
    const expected = await theirs.metrics();
    expect(await renderExposition(ours)).toBe(expected);
    expect(await ours.metrics()).toBe(expected);
    // Spot checks of the reference itself: cumulative buckets, +Inf, sum and count.
    expect(expected).toContain('h_seconds_bucket{le="0.01",asset="x"} 1');
    expect(expected).toContain('h_seconds_bucket{le="+Inf",asset="x"} 3');
    expect(expected).toContain('u_seconds_count 5');
  });

  it('render again after every change, from cached text, exactly as prom-client does', async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const c1 = new CompactCounter('c_total', 'A counter.', ['asset'], ours);
    const c2 = new Counter({
      name: 'c_total',
      help: 'A counter.',
      labelNames: ['asset'],
      registers: [theirs],
    });
    const g1 = new CompactGauge('g', 'A gauge.', ['asset'], ours);
    const g2 = new Gauge({
      name: 'g',
      help: 'A gauge.',
      labelNames: ['asset'],
      registers: [theirs],
    });
    const h1 = new CompactHistogram('h_seconds', 'A histogram.', ['asset'], BUCKETS, ours);
    const h2 = new Histogram({
      name: 'h_seconds',
      help: 'A histogram.',
      labelNames: ['asset'],
      buckets: BUCKETS,
      registers: [theirs],
    });
    const boundCounter = c1.child({ asset: 'x' });
    const boundHistogram = h1.child({ asset: 'x' });
    // Bound children create their series at once, as prom-client's `labels()` does not: match it.
    c2.inc({ asset: 'x' }, 0);
    h2.zero({ asset: 'x' });
    const steps: (() => void)[] = [
      () => (c1.inc({ asset: 'y' }), c2.inc({ asset: 'y' })),
      () => (boundCounter.inc(2.5), c2.inc({ asset: 'x' }, 2.5)),
      () => (c1.inc({ asset: 'y' }, 0), c2.inc({ asset: 'y' }, 0)),
      () => (g1.set({ asset: 'x' }, 1), g2.set({ asset: 'x' }, 1)),
      () => (g1.set({ asset: 'x' }, 1), g2.set({ asset: 'x' }, 1)),
      () => (g1.set({ asset: 'x' }, -0.25), g2.set({ asset: 'x' }, -0.25)),
      () => (boundHistogram.observe(0.3), h2.observe({ asset: 'x' }, 0.3)),
      () => (h1.observe({ asset: 'y' }, 20), h2.observe({ asset: 'y' }, 20)),
      () => (boundHistogram.observe(0.001), h2.observe({ asset: 'x' }, 0.001)),
      () => (ours.resetMetrics(), theirs.resetMetrics()),
      // After a reset, bound children record into new series.
      () => (boundCounter.inc(), c2.inc({ asset: 'x' })),
      () => (boundHistogram.observe(4), h2.observe({ asset: 'x' }, 4)),
    ];
    expect(await renderExposition(ours)).toBe(await theirs.metrics());
    for (const step of steps) {
      step();
      expect(await renderExposition(ours)).toBe(await theirs.metrics());
    }
  });

  it('order labels by their declaration whatever the caller passes', async () => {
    const r = new Registry();
    const c = new CompactCounter('c_total', 'A counter.', ['a', 'b'], r);
    c.inc({ b: '2', a: '1' });
    c.inc({ a: '1', b: '2' });
    expect(await renderExposition(r)).toContain('c_total{a="1",b="2"} 2\n');
  });

  it('expose an unlabelled counter at 0 from the start, an unset gauge not at all', async () => {
    const r = new Registry();
    new CompactCounter('c_total', 'A counter.', [], r);
    new CompactGauge('g', 'A gauge.', [], r);
    expect(await renderExposition(r)).toBe(
      '# HELP c_total A counter.\n# TYPE c_total counter\nc_total 0\n\n# HELP g A gauge.\n# TYPE g gauge\n',
    );
  });

  it('replace all of a gauge’s series at once, dropping the ones not given', async () => {
    const r = new Registry();
    const g = new CompactGauge('g', 'A gauge.', ['asset'], r);
    g.replaceAll([
      [{ asset: 'a' }, 1],
      [{ asset: 'b' }, 2],
    ]);
    g.replaceAll([
      [{ asset: 'b' }, 3],
      [{ asset: 'c' }, 4],
      [{ asset: 'c' }, 5],
    ]);
    expect(await renderExposition(r)).toBe(
      '# HELP g A gauge.\n# TYPE g gauge\ng{asset="b"} 3\ng{asset="c"} 5\n',
    );
    r.resetMetrics();
    expect(await renderExposition(r)).toBe('# HELP g A gauge.\n# TYPE g gauge\n');
  });

  it('render a replaced gauge in its new order, values and series, and reuse an unchanged one', async () => {
    const r = new Registry();
    const g = new CompactGauge('g', 'A gauge.', ['asset'], r);
    const text = () => renderExposition(r);
    const head = '# HELP g A gauge.\n# TYPE g gauge\n';
    const set = (...entries: [string, number][]) =>
      g.replaceAll(entries.map(([asset, v]) => [{ asset }, v] as const));
    set(['a', 1], ['b', 2]);
    expect(await text()).toBe(`${head}g{asset="a"} 1\ng{asset="b"} 2\n`);
    const first = g.render();
    set(['a', 1], ['b', 2]);
    expect(g.render()).toBe(first);
    set(['b', 2], ['a', 1]);
    expect(await text()).toBe(`${head}g{asset="b"} 2\ng{asset="a"} 1\n`);
    set(['b', 2], ['a', 3]);
    expect(await text()).toBe(`${head}g{asset="b"} 2\ng{asset="a"} 3\n`);
    set(['b', 2]);
    expect(await text()).toBe(`${head}g{asset="b"} 2\n`);
    set(['b', 2], ['c', 4]);
    expect(await text()).toBe(`${head}g{asset="b"} 2\ng{asset="c"} 4\n`);
    set(['b', 5], ['b', 2], ['c', 4]);
    expect(await text()).toBe(`${head}g{asset="b"} 2\ng{asset="c"} 4\n`);
  });

  it('reject invalid metric and label names, and a second metric of the same name', () => {
    const r = new Registry();
    expect(() => new CompactCounter('bad-name', 'x', [], r)).toThrow(/Invalid metric name/);
    expect(() => new CompactGauge('g', 'x', ['bad-label'], r)).toThrow(/Invalid label name/);
    new CompactGauge('dup', 'x', [], r);
    expect(() => new CompactGauge('dup', 'x', [], r)).toThrow(/already been registered/);
  });
});
