import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in front of a PostgreSQL server that counts the round trips clients start: every
 * frontend Sync ('S', ends an extended-protocol exchange) and Query ('Q', a simple query) is one
 * request the client then waits on. Parsing only the client's side of the protocol is enough.
 */
export interface RoundTripCounter {
  port: number;
  /** Round trips started since the last `reset`. */
  count(): number;
  reset(): void;
  close(): Promise<void>;
}

export async function countRoundTrips(targetPort: number): Promise<RoundTripCounter> {
  let trips = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    let buffer = Buffer.alloc(0);
    let started = false;
    client.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        // The startup message (and an SSL request) has no type byte: a length, then the payload.
        const header = started ? 5 : 4;
        if (buffer.length < header) break;
        const length = started ? buffer.readInt32BE(1) + 1 : buffer.readInt32BE(0);
        if (buffer.length < length) break;
        if (started && (buffer[0] === 0x53 || buffer[0] === 0x51)) trips++;
        const code = started ? 0 : buffer.readInt32BE(4);
        // 80877103 is SSLRequest: the real startup message still follows.
        if (!started && code !== 80877103) started = true;
        buffer = buffer.subarray(length);
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as { port: number }).port,
    count: () => trips,
    reset: () => void (trips = 0),
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
