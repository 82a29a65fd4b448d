import { Writable } from 'node:stream';
import { pino, type Level } from 'pino';

/** A pino logger whose JSON lines land in `lines`, parsed, so tests can read what was logged. */
export function captureLogs(level: Level = 'info') {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, logger: pino({ level }, stream) };
}
