import { startPrivatePostgres } from '../test/helpers/postgres-server.ts';
import { PostgresSessionStore } from '../src/postgres.ts';
import { AgentSessionManager } from '../src/index.ts';
const s = await startPrivatePostgres();
const store = new PostgresSessionStore({ url: s.url, schema: 'x' });
const m = new AgentSessionManager(store);
let t0 = 0;
const stop = await store.subscribe((e) => console.log('event', e.type, (performance.now() - t0).toFixed(1), 'ms'));
for (let i = 0; i < 5; i++) { await new Promise(r => setTimeout(r, 100)); t0 = performance.now(); await m.create({ dbConnectionId: 'd' }); }
const late = await store.subscribe(() => {}); late();
await new Promise(r => setTimeout(r, 100)); t0 = performance.now(); await m.create({ dbConnectionId: 'd' });
await new Promise(r => setTimeout(r, 700));
stop(); await store.close(); await s.destroy();
