/**
 * A Prometheus histogram of request latency by method, route and status, written out in the text
 * exposition format at scrape time.
 *
 * Why not prom-client's Histogram: its `observe` validates and hashes the label set on every call,
 * even through a child from `labels()`: 1.2 µs, a measurable share of a GET. Here an observation
 * is three map lookups, a bucket search and two adds (about 30 ns).
 */
export class LatencyHistogram {
  // route -> status -> method -> series: three lookups of strings that already exist, where one
  // joined key would build a new string on every observation.
  private readonly series = new Map<string, Map<number, Map<string, Series>>>();

  constructor(
    readonly name: string,
    private readonly help: string,
    /** Upper bounds in seconds, ascending; `+Inf` is added. */
    private readonly buckets: readonly number[],
  ) {}

  observe(method: string, route: string, status: number, seconds: number): void {
    let byStatus = this.series.get(route);
    if (!byStatus) this.series.set(route, (byStatus = new Map()));
    let byMethod = byStatus.get(status);
    if (!byMethod) byStatus.set(status, (byMethod = new Map()));
    let series = byMethod.get(method);
    if (!series) {
      series = { labels: labelText({ method, route, status: String(status) }), counts: new Float64Array(this.buckets.length), count: 0, sum: 0 };
      byMethod.set(method, series);
    }
    // Counts are per bucket here and made cumulative when written out.
    const { buckets } = this;
    for (let i = 0; i < buckets.length; i++) {
      if (seconds <= buckets[i]) {
        series.counts[i]++;
        break;
      }
    }
    series.count++;
    series.sum += seconds;
  }

  /** The histogram in the Prometheus text format (ending with a newline). */
  exposition(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const { labels, counts, count, sum } of this.allSeries()) {
      let cumulative = 0;
      this.buckets.forEach((bound, i) => {
        cumulative += counts[i];
        lines.push(`${this.name}_bucket{le="${bound}",${labels}} ${cumulative}`);
      });
      lines.push(`${this.name}_bucket{le="+Inf",${labels}} ${count}`);
      lines.push(`${this.name}_sum{${labels}} ${sum}`);
      lines.push(`${this.name}_count{${labels}} ${count}`);
    }
    return `${lines.join('\n')}\n`;
  }

  private *allSeries(): Iterable<Series> {
    for (const byStatus of this.series.values()) for (const byMethod of byStatus.values()) yield* byMethod.values();
  }
}

interface Series {
  labels: string;
  counts: Float64Array;
  count: number;
  sum: number;
}

// Label values are escaped as the exposition format requires: backslash, double quote, newline.
const escapeLabelValue = (value: string) => value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));

function labelText(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([name, value]) => `${name}="${escapeLabelValue(value)}"`)
    .join(',');
}
