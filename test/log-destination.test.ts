import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { BufferedLogDestination } from '../src/server/log-destination.js';
import { createServerLogger, infoLineWriter } from '../src/server/logger.js';

const LIMITS = { minBytes: 4096, flushIntervalMs: 60_000, maxBytes: 1024 * 1024 };
const line = (i: number) => `{"n":${i},"pad":"${'x'.repeat(100)}"}\n`;
const numbersIn = (text: string) => text.trim().split('\n').map((l) => (JSON.parse(l) as { n: number }).n);

describe('the buffered log destination', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'agent-sessions-log-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function destinationToFile(limits = LIMITS) {
    const path = join(dir, 'out.log');
    const fd = openSync(path, 'a');
    return { destination: new BufferedLogDestination(fd, limits), read: () => readFileSync(path, 'utf8'), close: () => closeSync(fd) };
  }

  it('writes every line once, in order, in batches; flush calls back once all is written', async () => {
    const { destination, read, close } = destinationToFile();
    for (let i = 0; i < 2_000; i++) destination.write(line(i));
    // Batches went out on their own once 4 KiB were waiting; the tail is still buffered.
    await new Promise<void>((resolve, reject) => destination.flush((error) => (error ? reject(error) : resolve())));
    expect(numbersIn(read())).to.deep.equal([...Array(2_000).keys()]);
    destination.end();
    close();
  });

  it('holds short lines until the interval, then writes them', async () => {
    const { destination, read, close } = destinationToFile({ ...LIMITS, flushIntervalMs: 20 });
    destination.write(line(1));
    expect(read()).to.equal('');
    for (let waited = 0; read() === '' && waited < 200; waited++) await new Promise((r) => setTimeout(r, 10));
    expect(numbersIn(read())).to.deep.equal([1]);
    destination.end();
    close();
  });

  it('drops lines past maxBytes instead of queueing them, and counts them', () => {
    const { destination, read, close } = destinationToFile({ minBytes: 1024 * 1024, flushIntervalMs: 60_000, maxBytes: 10 * line(0).length });
    const accepted = Array.from({ length: 15 }, (_, i) => destination.write(line(i)));
    expect(accepted.filter(Boolean)).to.have.length(10);
    expect(destination.droppedLines).to.equal(5);
    destination.flushSync();
    expect(numbersIn(read())).to.deep.equal([...Array(10).keys()]);
    destination.end();
    close();
  });

  it('writes what is buffered when the process exits', async () => {
    const path = join(dir, 'exit.log');
    const script = `
      import { openSync } from 'node:fs';
      import { BufferedLogDestination } from ${JSON.stringify(new URL('../src/server/log-destination.ts', import.meta.url).href)};
      const destination = new BufferedLogDestination(openSync(${JSON.stringify(path)}, 'a'), { minBytes: 1 << 20, flushIntervalMs: 60000, maxBytes: 1 << 24 });
      for (let i = 0; i < 500; i++) destination.write(JSON.stringify({ n: i }) + '\\n');
      process.exit(0);`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: 'inherit' });
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).to.equal(0);
    expect(numbersIn(readFileSync(path, 'utf8'))).to.deep.equal([...Array(500).keys()]);
  });
});

describe('the server logger on a fatal error', () => {
  it('writes every buffered line and the fatal line, then exits 1', async () => {
    const script = `
      import { createServerLogger, exitOnUncaughtException } from ${JSON.stringify(new URL('../src/server/logger.ts', import.meta.url).href)};
      const logger = createServerLogger('info');
      exitOnUncaughtException(logger);
      for (let i = 0; i < 200; i++) logger.info({ n: i });
      setTimeout(() => { throw new Error('boom'); }, 0);`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const [code] = await Promise.all([new Promise((resolve) => child.once('exit', resolve)), new Promise((resolve) => child.stdout.once('close', resolve))]);
    expect(code).to.equal(1);
    const entries = stdout.trim().split('\n').map((l) => JSON.parse(l) as { n?: number; level: number; msg?: string; err?: { message: string } });
    expect(entries.filter((e) => e.n !== undefined).map((e) => e.n)).to.deep.equal([...Array(200).keys()]);
    const fatal = entries.at(-1);
    expect(fatal).to.include({ level: 60, msg: 'uncaught exception, exiting' });
    expect(fatal?.err?.message).to.equal('boom');
  });
});

describe('the per-request info lines', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'agent-sessions-log-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const FIELDS = [
    { reqId: 'r-1', method: 'GET', path: '/api/v1/agent-sessions/"odd"\\\n\u2028é', route: 'unmatched', status: 404, ms: 0.123456789 },
    { audit: { principal: 'ops', action: 'create', session_id: 'sess_1', outcome: 'ok', request_id: 'r-2', skipped: undefined } },
  ];

  async function linesOf(write: (logger: Logger, fields: Record<string, unknown>, msg?: string) => void, level = 'info') {
    const path = join(dir, `${Math.random()}.log`);
    const fd = openSync(path, 'a');
    const logger = createServerLogger(level, fd);
    write(logger, FIELDS[0]);
    write(logger, FIELDS[1], 'audit: ops create sess_1 ok');
    write(logger, {}, 'a message alone, "quoted"');
    write(logger, {});
    await new Promise((resolve) => logger.flush(resolve));
    closeSync(fd);
    const text = readFileSync(path, 'utf8');
    return text === '' ? [] : text.trim().split('\n');
  }

  // `time` differs between any two lines; everything else, key order included, must not.
  const withoutTime = (line: string) => line.replace(/"time":[0-9]+,/, '');

  it('are the very lines pino writes, key order included', async () => {
    const ours = await linesOf((logger, fields, msg) => {
      const writeLine = infoLineWriter(logger);
      // Our own logger's lines skip pino's serializer: the per-request cost is why they exist.
      logger.info = () => expect.fail('the line went through pino');
      writeLine(fields, msg);
    });
    const pinos = await linesOf((logger, fields, msg) => logger.info(fields, msg));
    expect(ours).to.have.length(4);
    expect(ours.map(withoutTime)).to.deep.equal(pinos.map(withoutTime));
    expect(JSON.parse(ours[0])).to.include({ level: 30, service: 'agent-sessions', path: FIELDS[0].path });
    expect(JSON.parse(ours[0]).time).to.be.within(Date.now() - 60_000, Date.now());
  });

  it('follow the logger level, also when it changes', async () => {
    expect(await linesOf((logger, fields, msg) => infoLineWriter(logger)(fields, msg), 'warn')).to.deep.equal([]);
    const lines = await linesOf((logger, fields, msg) => {
      const writeLine = infoLineWriter(logger);
      logger.level = fields.audit ? 'info' : 'warn';
      writeLine(fields, msg);
    });
    expect(lines.map((l) => JSON.parse(l).msg)).to.deep.equal(['audit: ops create sess_1 ok']);
  });

  it('go through pino for any other logger', () => {
    const written: string[] = [];
    const logger = pino({ base: null }, { write: (line: string) => written.push(line) });
    infoLineWriter(logger.child({ part: 'x' }))({ n: 1 }, 'hi');
    expect(JSON.parse(written[0])).to.include({ n: 1, msg: 'hi', part: 'x' });
  });
});
