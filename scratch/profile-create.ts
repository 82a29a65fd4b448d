import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { PostgresStore } from '@mastra/pg';
import { AgentSessionManager, newSessionId } from '../src/index.js';
import { toRowValues } from '../src/adapters/postgres/session-row.js';
import { sessionStatements } from '../src/adapters/postgres/statements.js';
import { PostgresSessionStore } from '../src/postgres.js';
import { startPrivatePostgres } from '../test/helpers/postgres-server.js';
import { median, opsPerSecond } from '../bench/redis-ops-bench.js';

const pgs = await startPrivatePostgres();
const url = pgs.url;
const schema = 'prof';
const store = new PostgresSessionStore({ url, schema, poolSize: 16 });
const manager = new AgentSessionManager(store);
const mastra = new PostgresStore({ connectionString: url, schemaName: 'mastra', max: 16 });
await mastra.init();
const raw = new pg.Pool({ connectionString: url, max: 16 });
const admin = new pg.Pool({ connectionString: url, max: 1 });
const sql = sessionStatements(`"${schema}"`);
const template = await manager.create({ dbConnectionId: 'x' });
const rawInsert = () => raw.query({ name: 'ins', text: sql.insert, values: toRowValues({ ...template, id: newSessionId(), dbConnectionId: 'create', title: 'bench', metadata: { team: 'analytics' } }) });
const ours = () => manager.create({ dbConnectionId: 'create', title: 'bench', metadata: { team: 'analytics' } });
const theirs = () => mastra.saveThread({ thread: { id: randomUUID(), resourceId: 'create', title: 'bench', metadata: { team: 'analytics' }, createdAt: new Date(), updatedAt: new Date() } });
const modes = (process.env.MODES ?? 'all').split(',');
async function measure(label: string) {
  for (const c of [1, 64]) {
    await opsPerSecond(rawInsert, c);
    const a: number[] = [], b: number[] = [], m: number[] = [];
    for (let r = 0; r < 3; r++) {
      a.push(await opsPerSecond(ours, c));
      b.push(await opsPerSecond(rawInsert, c));
      m.push(await opsPerSecond(theirs, c));
    }
    console.log(`${label.padEnd(40)} c=${c}: manager ${median(a).toFixed(0)}  raw ${median(b).toFixed(0)}  mastra ${median(m).toFixed(0)}  ratio ${(median(a)/median(m)).toFixed(2)}`);
  }
}
const t = `"${schema}".sessions`;
await measure('as shipped');
async function redefine(fn: string, from: string | RegExp, to: string) {
  const { rows } = await admin.query(`SELECT pg_get_functiondef('"${schema}".${fn}'::regproc) AS def`);
  const def = (rows[0].def as string).replace(from, to);
  if (def === rows[0].def) throw new Error('no change ' + fn);
  await admin.query(def);
}
const variants: Record<string, () => Promise<unknown>> = {
  nonotify: () => redefine('record_session_event', /PERFORM pg_notify\([^;]*;/, ''),
  nokeys: () => admin.query(`ALTER TABLE ${t} DISABLE TRIGGER count_session_key`),
  pidshard: () => redefine('count_session', 'floor(random() * 16)', '(pg_backend_pid() % 16)'),
  nocount: () => admin.query(`ALTER TABLE ${t} DISABLE TRIGGER count_session`),
  noevent: () => admin.query(`ALTER TABLE ${t} DISABLE TRIGGER record_session_event`),
};
for (const step of (process.env.STEPS ?? '').split(',').filter(Boolean)) {
  await variants[step]();
  await measure('+ ' + step);
}
await raw.end(); await admin.end(); await store.close(); await mastra.close();
await pgs.destroy();
process.exit(0);
