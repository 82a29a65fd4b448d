import { connect, type Socket } from 'node:net';

// Raw TCP clients for tests that must send what no HTTP client library would.

/** A raw TCP connection to the server that records what comes back and when it closes. */
export interface RawClient {
  socket: Socket;
  /** Everything the server sent so far, as latin1 text. */
  received(): string;
  /** Resolves when the server (or an error) closes the socket. */
  closed: Promise<void>;
  isClosed(): boolean;
}

export async function openRawClient(url: string): Promise<RawClient> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  let text = '';
  let isClosed = false;
  socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) =>
    socket.once('close', () => {
      isClosed = true;
      resolve();
    }),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return { socket, received: () => text, closed, isClosed: () => isClosed };
}

/** Writes `text` to the socket a few bytes at a time, every `everyMs`, until the socket closes. */
export function trickle(client: RawClient, text: string, everyMs: number, bytesPerTick = 1): void {
  let at = 0;
  const timer = setInterval(() => {
    if (client.isClosed() || at >= text.length) return clearInterval(timer);
    client.socket.write(text.slice(at, at + bytesPerTick));
    at += bytesPerTick;
  }, everyMs);
  void client.closed.then(() => clearInterval(timer));
}

/** Opens an event stream at `url` on a raw socket that reads the headers and then stops reading. */
export async function stalledEventReader(url: string): Promise<RawClient> {
  const { pathname, search } = new URL(url);
  const client = await openRawClient(url);
  client.socket.write(`GET ${pathname}${search} HTTP/1.1\r\nHost: x\r\n\r\n`);
  while (!client.received().includes(': connected')) await new Promise((resolve) => setTimeout(resolve, 5));
  client.socket.pause();
  return client;
}
