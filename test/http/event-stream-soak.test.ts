import { expect } from 'chai';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { MemorySessionStore, createAgentSessionManager } from '../../src/index.js';
import { startTestServer, type TestServer } from '../helpers/http-server.js';
import { stalledEventReader } from '../helpers/raw-client.js';
import { COLLECTION_PATH } from '../../src/server/index.js';

// A full collection of garbage before each reading, so the figures are what is really held.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

const MiB = 1024 * 1024;
/**
 * The stated bound: the memory store's event retention (64 MiB by default) plus each stalled
 * client's send buffer (20 x 256 KiB, plus the event that overflowed it) plus 32 MiB of slack
 * for the server itself.
 */
const BOUND_BYTES = 64 * MiB + 20 * (256 * 1024 + 64 * 1024) + 32 * MiB;

function heldBytes(): number {
  collectGarbage();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.external;
}

describe('event streams: bounded soak', function () {
  this.timeout(300_000);
  let server: TestServer;

  afterEach(async () => {
    await server?.running.close(1000);
  });

  it(`holds memory within ${Math.round(BOUND_BYTES / MiB)} MiB with 20 stalled readers and 2,000 PATCHes of 60 KB metadata`, async () => {
    const store = new MemorySessionStore();
    server = await startTestServer({ manager: createAgentSessionManager({ store }) });
    const session = await server.manager.create({ dbConnectionId: 'db-soak' });
    const readers = await Promise.all(Array.from({ length: 20 }, () => stalledEventReader(server.url(`${COLLECTION_PATH}/events`))));
    const before = heldBytes();
    let peak = 0;
    for (let i = 1; i <= 2000; i++) {
      const response = await server.request('PATCH', `${COLLECTION_PATH}/${session.id}`, {
        body: { metadata: { i, blob: String(i).padEnd(60 * 1024, '.') } },
      });
      expect(response.status, `PATCH ${i}`).to.equal(200);
      await response.arrayBuffer();
      if (i % 200 === 0) {
        peak = Math.max(peak, heldBytes() - before);
        // Checked as it goes, so a regression fails here instead of exhausting the heap.
        expect(peak, `bytes held after ${i} updates`).to.be.below(BOUND_BYTES);
      }
    }
    expect(peak).to.be.below(BOUND_BYTES);
    // Every stalled reader was cut off rather than buffered for.
    expect(server.manager.events.listenerCount()).to.equal(0);
    expect(store.retainedEvents.bytes).to.be.at.most(64 * MiB);
    for (const reader of readers) reader.socket.destroy();
  });
});
