import { fileURLToPath } from 'node:url';
import { createAgentSessionManager, MemorySessionStore } from '../src/index.js';
import { startServer } from '../src/server/index.js';
import { forkTsx } from './fork-tsx.js';
const store = new MemorySessionStore();
const manager = createAgentSessionManager({ store });
const running = await startServer({ manager, port: 0 });
const path = fileURLToPath(new URL('./fanout/subscribers.ts', import.meta.url));
const subs = await forkTsx<{ open: number }>(path, [running.url, '200', 'db-f']);
const s = await manager.create({ dbConnectionId: 'db-f' });
const q = await manager.create({ dbConnectionId: 'db-q' });
for (const session of [s, q, s, q]) {
  const t = performance.now(); let cpu = process.cpuUsage();
  for (let i = 0; i < 300; i++) { await manager.update(session.id, { metadata: { i, notes: 'n'.repeat(1000) } }); await new Promise((r) => setImmediate(r)); }
  cpu = process.cpuUsage(cpu);
  console.log(session === s ? 'followed' : 'quiet', ((performance.now() - t) / 300).toFixed(3), 'ms/update wall', ((cpu.user + cpu.system) / 300 / 1000).toFixed(3), 'ms CPU (user', (cpu.user/300/1000).toFixed(3), 'sys', (cpu.system/300/1000).toFixed(3), ')');
}
subs.child.send('stop'); await running.close(100);
