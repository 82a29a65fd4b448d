import { renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runHttpBench } from './http-bench.js';
import { describeMachine, resultTable } from './report.js';
import { runScaleBench } from './scale-bench.js';
import { BENCH_STORES } from './stores.js';

// `npm run bench`: every figure is a ratio against a baseline measured in this same run.
// Prints a Markdown table and writes bench/results.json. BENCH_STORES picks the stores.

const RESULTS = fileURLToPath(new URL('./results.json', import.meta.url));
const log = (line: string) => console.error(line);

const machine = describeMachine();
log(`HTTP: our server (memory store) vs bare Koa + @koa/router`);
const http = await runHttpBench('memory', log);
log('Scale: filtered first page and heap per session');
const scale = [];
for (const name of Object.keys(BENCH_STORES)) scale.push(await runScaleBench(name, log));

const table = resultTable(http, scale);
console.log(`\n${machine.nproc} cores · ${machine.cpu} · Node ${machine.node}\n\n${table}\n`);
// Written aside and renamed, so an interrupted run never leaves a half-written results file.
writeFileSync(`${RESULTS}.tmp`, `${JSON.stringify({ machine, http, scale }, null, 2)}\n`);
renameSync(`${RESULTS}.tmp`, RESULTS);
log(`wrote ${RESULTS}`);
