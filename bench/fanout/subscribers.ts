import { connect, type Socket } from 'node:net';

// Child process of the fan-out bench: opens N event streams on one db connection and reads them
// as fast as they come, so the server pays for delivery but never for a slow reader.
// argv: <url> <count> <dbConnectionId>. Reports { open } once all are connected, then
// answers 'bytes' with the bytes read so far; exits on 'stop'.

const [url, count, dbConnectionId] = process.argv.slice(2);
const { hostname, port } = new URL(url);
const sockets: Socket[] = [];
let bytes = 0;

async function openStream(): Promise<Socket> {
  const socket = connect(Number(port), hostname);
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(`GET /api/v1/agent-sessions/events?db_connection_id=${dbConnectionId} HTTP/1.1\r\nHost: bench\r\n\r\n`);
  await new Promise<void>((resolve) => {
    let head = '';
    const onData = (chunk: Buffer) => {
      head += chunk.toString('latin1');
      if (head.includes(': connected')) {
        socket.off('data', onData);
        resolve();
      }
    };
    socket.on('data', onData);
  });
  socket.on('data', (chunk: Buffer) => (bytes += chunk.length));
  return socket;
}

for (let i = 0; i < Number(count); i++) sockets.push(await openStream());
process.send?.({ open: sockets.length });
process.on('message', (message) => {
  if (message === 'bytes') process.send?.({ bytes });
  if (message === 'stop') {
    for (const socket of sockets) socket.destroy();
    process.exit(0);
  }
});
