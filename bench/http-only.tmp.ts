import { runHttpBench } from './http-bench.js';
const r = await runHttpBench('memory', console.error);
console.log(JSON.stringify(r.map(c => ({e: c.endpoint, ratio: c.ratio, cpu: c.cpuRatio, ours: c.ours.requestsPerSecond, base: c.baseline.requestsPerSecond}))));
