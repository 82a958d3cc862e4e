import type { Metric, Registry } from 'prom-client';

/**
 * Counters, gauges and histograms for the platform's metric families, registered into a
 * prom-client `Registry` (so `registry.metrics()`, `getMetricsAsJSON()` and prom-client's own
 * metrics in the same registry keep working) but stored and rendered for cheap scrapes: each
 * series keeps its label text (and a histogram its bucket line heads) rendered once, when the
 * series is created, and each family keeps its rendered text until one of its series changes, so
 * a scrape formats only what changed since the last one. prom-client's instruments build several
 * objects per line on every scrape, and with a thousand assets a scrape is tens of thousands of
 * lines; see docs/decisions/0002-metrics-instruments.md.
 */

/** Label values of one series, by label name. */
export type Labels = Readonly<Record<string, string>>;

/** One sample as prom-client's registry expects from `get()`. */
interface PromSample {
  value: number;
  labels: Record<string, string | number>;
  metricName?: string;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const NEEDS_ESCAPE = /[\\\n"]/;

/** Escapes a label value for the text format. */
export function escapeLabelValue(value: string): string {
  return NEEDS_ESCAPE.test(value)
    ? value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')
    : value;
}

/** A number in the text format (as prom-client writes it). */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'Nan';
  if (!Number.isFinite(value)) return value < 0 ? '-Inf' : '+Inf';
  return `${value}`;
}

/** The base of the three kinds: name, help, label names, series keyed by label values. */
export abstract class CompactFamily<S extends { labels: Labels }> {
  abstract readonly type: 'counter' | 'gauge' | 'histogram';
  /** prom-client's cluster aggregation mode (unused by marketlake, kept for the registry). */
  readonly aggregator = 'sum';
  protected series = new Map<string, S>();
  /** The rendered family while none of its series changed; undefined once one did. */
  protected text: string | undefined;
  /** Bumped when the series are dropped, so bound children resolve theirs again. */
  protected generation = 0;

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
    registry: Registry,
  ) {
    if (!NAME.test(name)) throw new Error(`Invalid metric name ${name}`);
    for (const l of labelNames) if (!LABEL.test(l)) throw new Error(`Invalid label name ${l}`);
    // prom-client's typings list its own four classes; its registry needs only name/get/reset.
    registry.registerMetric(this as unknown as Metric);
  }

  /**
   * The family in the text format: HELP and TYPE lines, then one line per sample, joined by
   * newlines (no trailing one). Reused until a series changes: one join of cached lines, into a
   * flat string that the response copies once.
   */
  render(): string {
    if (this.text === undefined) {
      const out = [
        `# HELP ${this.name} ${escapeHelp(this.help)}`,
        `# TYPE ${this.name} ${this.type}`,
      ];
      this.renderSamples(out);
      this.text = out.join('\n');
    }
    return this.text;
  }

  /** Appends this family's sample lines (or blocks of lines) to `out`. */
  protected abstract renderSamples(out: string[]): void;

  /** The samples in prom-client's shape (for `registry.metrics()` and `getMetricsAsJSON()`). */
  abstract samples(): PromSample[];

  /** prom-client's metric interface. */
  get() {
    return Promise.resolve({
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values: this.samples(),
    });
  }

  /** Drops every series. */
  reset(): void {
    this.series = new Map();
    this.text = undefined;
    this.generation++;
  }

  /**
   * A function returning the series `resolve` finds, resolved once and again only after a
   * `reset` or `replaceAll` (the family's series map was rebuilt): children bind with it.
   */
  protected bound(resolve: () => S): () => S {
    let s = resolve();
    let generation = this.generation;
    return () => {
      if (generation !== this.generation) {
        s = resolve();
        generation = this.generation;
      }
      return s;
    };
  }

  /** The series of `labels`, created by `make(labelText)` when new. */
  protected seriesOf(labels: Labels, make: (labels: Labels, labelText: string) => S): S {
    const key = this.keyOf(labels);
    let s = this.series.get(key);
    if (!s) {
      const own: Record<string, string> = {};
      for (const n of this.labelNames) own[n] = labels[n] ?? '';
      s = make(own, this.labelNames.map((n) => `${n}="${escapeLabelValue(own[n]!)}"`).join(','));
      this.series.set(key, s);
      this.text = undefined;
    }
    return s;
  }

  protected keyOf(labels: Labels): string {
    if (this.labelNames.length === 1) return labels[this.labelNames[0]!] ?? '';
    let key = labels[this.labelNames[0]!] ?? '';
    for (let i = 1; i < this.labelNames.length; i++)
      key += `\u0000${labels[this.labelNames[i]!] ?? ''}`;
    return key;
  }
}

/** A help text in the text format (as prom-client writes it). */
export function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

interface ValueSeries {
  labels: Labels;
  head: string;
  value: number;
  /** `head` and the value, while the value is unchanged. */
  line: string | undefined;
}

/** A counter or gauge family. */
abstract class ValueFamily extends CompactFamily<ValueSeries> {
  protected valueSeries(labels: Labels): ValueSeries {
    return this.seriesOf(labels, (own, text) => ({
      labels: own,
      head: text === '' ? `${this.name} ` : `${this.name}{${text}} `,
      value: 0,
      line: undefined,
    }));
  }

  /** Sets a series' value, dropping what was rendered of it. */
  protected put(s: ValueSeries, value: number): void {
    if (Object.is(s.value, value)) return;
    s.value = value;
    s.line = undefined;
    this.text = undefined;
  }

  protected renderSamples(out: string[]): void {
    for (const s of this.series.values()) out.push((s.line ??= s.head + formatValue(s.value)));
  }

  samples(): PromSample[] {
    return [...this.series.values()].map((s) => ({ value: s.value, labels: { ...s.labels } }));
  }
}

/** One series of a counter, resolved once: increments skip the label lookup. */
export interface CounterChild {
  /** Adds `by` (default 1). */
  inc(by?: number): void;
}

/** A monotonic counter with label names `L`. */
export class CompactCounter<L extends string = string> extends ValueFamily {
  readonly type = 'counter';

  constructor(name: string, help: string, labelNames: readonly L[], registry: Registry) {
    super(name, help, labelNames, registry);
    // An unlabelled counter is exposed at 0 from the start, so the first increment is a rate.
    if (labelNames.length === 0) this.valueSeries({});
  }

  /** Adds `by` (default 1) to the series of `labels`. */
  inc(labels: Readonly<Record<L, string>>, by = 1): void {
    const s = this.valueSeries(labels);
    this.put(s, s.value + by);
  }

  /** The series of `labels`, bound for repeated increments (it survives `reset`). */
  child(labels: Readonly<Record<L, string>>): CounterChild {
    const series = this.bound(() => this.valueSeries(labels));
    return {
      inc: (by = 1) => {
        const s = series();
        this.put(s, s.value + by);
      },
    };
  }
}

/** One series of a gauge, resolved once: sets skip the label lookup. */
export interface GaugeChild {
  /** Sets the value. */
  set(value: number): void;
}

/** A gauge with label names `L`; a series exists only once set (unknown is absent, not 0). */
export class CompactGauge<L extends string = string> extends ValueFamily {
  readonly type = 'gauge';

  /** Sets the series of `labels`. */
  set(labels: Readonly<Record<L, string>>, value: number): void {
    this.put(this.valueSeries(labels), value);
  }

  /** The series of `labels`, bound for repeated sets (it survives `reset` and `replaceAll`). */
  child(labels: Readonly<Record<L, string>>): GaugeChild {
    const series = this.bound(() => this.valueSeries(labels));
    return { set: (value) => this.put(series(), value) };
  }

  /**
   * Replaces every series with `entries` (the last value of a repeated series wins), keeping the
   * rendered text of the family when the same series come back, in the same order, with the
   * same values: a collector's gauges are replaced on every scrape but seldom change.
   */
  replaceAll(entries: Iterable<readonly [Readonly<Record<L, string>>, number]>): void {
    const old = this.series;
    const oldKeys = old.keys();
    let same = true;
    this.series = new Map();
    for (const [labels, value] of entries) {
      const key = this.keyOf(labels);
      let s = this.series.get(key);
      if (s === undefined) {
        if (same && oldKeys.next().value !== key) same = false;
        s = old.get(key);
        if (s === undefined) {
          s = this.valueSeries(labels);
          same = false;
        } else this.series.set(key, s);
      }
      if (!Object.is(s.value, value)) same = false;
      this.put(s, value);
    }
    if (!same || this.series.size !== old.size) this.text = undefined;
    // Bound children resolve their series again: the map was rebuilt.
    this.generation++;
  }
}

interface HistogramSeries {
  labels: Labels;
  /** `name_bucket{le="x",labels} ` per bucket, +Inf last; then the _sum and _count heads. */
  heads: string[];
  /** Observations per bucket (not cumulative), +Inf last. */
  counts: Float64Array;
  sum: number;
  count: number;
  /** The series' lines, while nothing was observed since they were rendered. */
  lines: string | undefined;
}

/** One series of a histogram, resolved once: observations skip the label lookup. */
export interface HistogramChild {
  /** Records one observation. */
  observe(value: number): void;
}

/** A histogram with label names `L` and fixed upper bounds. */
export class CompactHistogram<L extends string = string> extends CompactFamily<HistogramSeries> {
  readonly type = 'histogram';
  private readonly bounds: readonly number[];

  constructor(
    name: string,
    help: string,
    labelNames: readonly string[],
    buckets: readonly number[],
    registry: Registry,
  ) {
    super(name, help, labelNames, registry);
    this.bounds = [...buckets].sort((a, b) => a - b);
  }

  /** Records one observation in the series of `labels`. */
  observe(labels: Readonly<Record<L, string>>, value: number): void {
    this.record(this.histogramSeries(labels), value);
  }

  /** The series of `labels`, bound for repeated observations (it survives `reset`). */
  child(labels: Readonly<Record<L, string>>): HistogramChild {
    const series = this.bound(() => this.histogramSeries(labels));
    return { observe: (value) => this.record(series(), value) };
  }

  protected renderSamples(out: string[]): void {
    for (const s of this.series.values()) out.push((s.lines ??= this.renderSeries(s)));
  }

  samples(): PromSample[] {
    const out: PromSample[] = [];
    for (const s of this.series.values()) {
      let cumulative = 0;
      const les = [...this.bounds, '+Inf'] as const;
      les.forEach((le, i) => {
        cumulative += s.counts[i]!;
        const labels = { le, ...s.labels };
        out.push({ value: cumulative, labels, metricName: `${this.name}_bucket` });
      });
      out.push({ value: s.sum, labels: { ...s.labels }, metricName: `${this.name}_sum` });
      out.push({ value: s.count, labels: { ...s.labels }, metricName: `${this.name}_count` });
    }
    return out;
  }

  private histogramSeries(labels: Labels): HistogramSeries {
    return this.seriesOf(labels, (own, text) => this.newSeries(own, text));
  }

  private record(s: HistogramSeries, value: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    s.counts[i]! += 1;
    s.sum += value;
    s.count += 1;
    s.lines = undefined;
    this.text = undefined;
  }

  private renderSeries(s: HistogramSeries): string {
    const n = this.bounds.length;
    const lines: string[] = [];
    let cumulative = 0;
    for (let i = 0; i <= n; i++) {
      cumulative += s.counts[i]!;
      lines.push(s.heads[i]! + formatValue(cumulative));
    }
    lines.push(s.heads[n + 1]! + formatValue(s.sum), s.heads[n + 2]! + formatValue(s.count));
    return lines.join('\n');
  }

  private newSeries(labels: Labels, text: string): HistogramSeries {
    const sep = text === '' ? '' : ',';
    const heads = [...this.bounds.map(formatValue), '+Inf'].map(
      // `le` first, as prom-client writes it.
      (le) => `${this.name}_bucket{le="${le}"${sep}${text}} `,
    );
    const plain = text === '' ? ' ' : `{${text}} `;
    heads.push(`${this.name}_sum${plain}`, `${this.name}_count${plain}`);
    const counts = new Float64Array(this.bounds.length + 1);
    return { labels, heads, counts, sum: 0, count: 0, lines: undefined };
  }
}
