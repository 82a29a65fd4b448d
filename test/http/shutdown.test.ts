import { expect } from 'chai';
import { once } from 'node:events';
import { connect } from 'node:net';
import { startTestServer } from '../helpers/http-server.js';

describe('graceful shutdown (RunningServer.close)', () => {
  it('refuses new connections, then cuts a request still unfinished when the drain time runs out', async () => {
    const server = await startTestServer();
    const { port } = server.running.server.address() as { port: number };
    // A client that sends half a request and then goes quiet: it would hold shutdown forever.
    const stuck = connect(port, '127.0.0.1');
    await once(stuck, 'connect');
    stuck.write('POST /api/v1/agent-sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"db');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closedSocket = once(stuck, 'close');
    await server.running.close(200);
    await closedSocket;
    expect(stuck.destroyed).to.equal(true);
    const refused = await fetch(server.url('/healthz')).then(
      () => 'answered',
      () => 'refused',
    );
    expect(refused).to.equal('refused');
  });
});
