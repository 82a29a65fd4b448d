import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import type { FanoutResult } from './fanout-bench.js';
import type { HttpComparison } from './http-bench.js';
import type { PeerComparison } from './peer-bench.js';
import type { RedisCpuComparison, RedisOpsComparison } from './redis-ops-bench.js';
import type { ScaleResult } from './scale-bench.js';

/** Where and how the figures were measured. */
export interface Machine {
  nproc: number;
  node: string;
  cpu: string;
  command: string;
  date: string;
}

export function describeMachine(): Machine {
  const cpuInfo = readFileSync('/proc/cpuinfo', 'utf8');
  return {
    nproc: Number(execSync('nproc').toString().trim()),
    node: process.version,
    cpu: /^model name\s*:\s*(.*)$/m.exec(cpuInfo)?.[1] ?? cpus()[0]?.model ?? 'unknown',
    command: 'npm run bench',
    date: new Date().toISOString(),
  };
}

const fixed = (value: number, digits = 0) => value.toFixed(digits);
/** A median ratio with the lowest and highest round: `0.91 (0.85–0.97)`. */
const ratioText = (ratio: number, [low, high]: [number, number]) => `${fixed(ratio, 2)} (${fixed(low, 2)}–${fixed(high, 2)})`;
const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');

/** The results as Markdown table rows: what, ours, baseline, ratio, goal, verdict. */
export function resultTable(
  http: HttpComparison[],
  scale: ScaleResult[],
  redisOps: RedisOpsComparison[] = [],
  postgresOps: RedisOpsComparison[] = [],
  fanout: FanoutResult[] = [],
  peer: PeerComparison[] = [],
  redisCpu: RedisCpuComparison[] = [],
): string {
  const rows: string[][] = [];
  for (const c of http) {
    const show = (f: HttpComparison['ours']) =>
      `${fixed(f.requestsPerSecond)} req/s (p50 ${f.latencyP50Ms} / p99 ${f.latencyP99Ms} ms), ${fixed(f.cpuMicrosPerRequest)} µs CPU/req`;
    rows.push([
      `${c.endpoint}: throughput (CPU efficiency)`,
      show(c.ours),
      show(c.baseline),
      `${ratioText(c.ratio, c.spread)}, CPU ${fixed(c.cpuRatio, 2)}`,
      c.goal === undefined ? '—' : `≥ ${c.goal}`,
      c.goal === undefined ? '—' : verdict(c.ratio >= c.goal),
    ]);
  }
  for (const s of scale) {
    const [small, large] = [s.measurements[0], s.measurements[s.measurements.length - 1]];
    const n = (count: number) => count.toLocaleString('en');
    rows.push([
      `${s.store}: list first page, db + status filter, p50 / p99 µs`,
      `${n(large.count)}: ${fixed(large.p50Us, 1)} / ${fixed(large.p99Us, 1)}`,
      `${n(small.count)}: ${fixed(small.p50Us, 1)} / ${fixed(small.p99Us, 1)}`,
      `${fixed(s.p50Ratio, 2)} / ${fixed(s.p99Ratio, 2)}`,
      '≤ 2 (p50)',
      verdict(s.p50Ratio <= 2),
    ]);
    if (large.bytesPerSession !== undefined) {
      const inHeap = s.store === 'memory';
      rows.push([
        `${s.store}: ${inHeap ? 'heap' : 'MEMORY USAGE (hash sample + all indexes)'} per session (${n(large.count)} sessions)`,
        `${fixed(large.bytesPerSession)} B`,
        '—',
        '—',
        inHeap ? '≤ 1024 B' : '—',
        inHeap ? verdict(large.bytesPerSession <= 1024) : '—',
      ]);
    }
  }
  for (const r of redisOps) {
    rows.push([
      `redis: ${r.operation}, concurrency ${r.concurrency}, ops/s`,
      fixed(r.ours),
      `${fixed(r.baseline)} (${r.operation.startsWith('list') ? 'ZREVRANGE + pipelined HGETALL' : 'its data commands in one MULTI/EXEC'})`,
      ratioText(r.ratio, r.spread),
      r.goal === undefined ? '—' : `≥ ${r.goal}`,
      r.goal === undefined ? '—' : verdict(r.ratio >= r.goal),
    ]);
  }
  for (const c of redisCpu) {
    rows.push([
      `redis: CPU inside Redis per ${c.operation} (INFO commandstats)`,
      `${fixed(c.oursMicros, 1)} µs`,
      `${fixed(c.dataCommandsMicros, 1)} µs (its data commands alone)`,
      ratioText(c.ratio, c.spread),
      `≤ ${c.goal}`,
      verdict(c.ratio <= c.goal),
    ]);
  }
  for (const r of postgresOps) {
    rows.push([
      `postgres: ${r.operation}, concurrency ${r.concurrency}, ops/s`,
      fixed(r.ours),
      `${fixed(r.baseline)} (same SQL, raw pg)`,
      ratioText(r.ratio, r.spread),
      r.goal === undefined ? '—' : `≥ ${r.goal}`,
      r.goal === undefined ? '—' : verdict(r.ratio >= r.goal),
    ]);
  }
  for (const p of peer) {
    rows.push([
      `postgres vs ${p.peer}: ${p.operation}, concurrency ${p.concurrency}, ops/s`,
      fixed(p.ours),
      `${fixed(p.theirs)} (Mastra)`,
      ratioText(p.ratio, p.spread),
      p.goal === undefined ? '—' : `≥ ${p.goal.toFixed(1)}`,
      p.goal === undefined ? '—' : verdict(p.ratio >= p.goal),
    ]);
  }
  for (const f of fanout) {
    const show = (l: FanoutResult['alone']) => `p50 ${fixed(l.p50Ms, 2)} / p99 ${fixed(l.p99Ms, 2)} ms`;
    rows.push([
      `${f.store}: PATCH latency with ${f.subscribers} event streams following vs none`,
      show(f.followed),
      show(f.alone),
      ratioText(f.ratio, f.spread),
      `≤ ${f.goal}`,
      verdict(f.ratio <= f.goal),
    ]);
  }
  const header = ['measure', 'ours', 'baseline', 'ratio', 'goal', 'result'];
  return [header, header.map(() => '---'), ...rows].map((row) => `| ${row.join(' | ')} |`).join('\n');
}
