import { expect } from 'chai';
import { SseParser, type SseMessage } from '../../src/client/sse-parser.js';

// The parser alone, fed bytes directly: every way a network could cut the same stream must give
// the same messages. The client's tests run it against the real server.

const STREAM = [
  '\uFEFFdata: first\n\n', // one leading BOM is not part of the field name
  ': connected\r\n',
  'retry: 2000\r\n',
  '\r\n', // a blank line with no data dispatches nothing
  'id: 1\r\n',
  'data: {"a":\r\n',
  'data:1}\r\n', // no space after the colon
  '\r\n',
  ': heartbeat\n\n',
  'data: no id line: keeps id 1\n\n',
  'id: 2\rdata\rdata:  two spaces\r\r', // CR-only line ends; `data` without a colon is an empty line of data
  'id\n', // an id field without a value clears the id
  'data: ünï 日本 🚀\n\n',
  'event: other\ndata: named\n\n',
  'id: 3\n\n', // an id without data: no message, but later messages carry it
  'data: after id-only\n',
  'unknown: field\n',
  'id: bad\0id\n', // an id containing NUL is ignored
  '\n',
  'data: cut off before its blank line',
].join('');

const EXPECTED: SseMessage[] = [
  { id: '', event: 'message', data: 'first' },
  { id: '1', event: 'message', data: '{"a":\n1}' },
  { id: '1', event: 'message', data: 'no id line: keeps id 1' },
  { id: '2', event: 'message', data: '\n two spaces' },
  { id: '', event: 'message', data: 'ünï 日本 🚀' },
  { id: '', event: 'other', data: 'named' },
  { id: '3', event: 'message', data: 'after id-only' },
];

const BYTES = new TextEncoder().encode(STREAM);

function parse(chunks: Uint8Array[]): SseMessage[] {
  const parser = new SseParser();
  return chunks.flatMap((chunk) => parser.push(chunk));
}

describe('SseParser', () => {
  it('parses a whole stream: multi-line data, comments, ids, events, CRLF, CR and LF', () => {
    expect(parse([BYTES])).to.deep.equal(EXPECTED);
  });

  it('gives the same messages for a cut at every byte (inside lines, CRLF pairs and UTF-8 characters)', () => {
    for (let cut = 0; cut <= BYTES.length; cut++) {
      expect(parse([BYTES.subarray(0, cut), BYTES.subarray(cut)]), `cut at byte ${cut}`).to.deep.equal(EXPECTED);
    }
  });

  it('gives the same messages one byte at a time', () => {
    expect(parse([...BYTES].map((byte) => Uint8Array.of(byte)))).to.deep.equal(EXPECTED);
  });

  it('counts a CR and a LF in different chunks as one line end, even with an empty chunk between', () => {
    const encode = (text: string) => new TextEncoder().encode(text);
    const parser = new SseParser();
    expect(parser.push(encode('data: x\r'))).to.deep.equal([]);
    expect(parser.push(encode(''))).to.deep.equal([]);
    expect(parser.push(encode('\ndata: y\r'))).to.deep.equal([]);
    expect(parser.push(encode('\n\r\n'))).to.deep.equal([{ id: '', event: 'message', data: 'x\ny' }]);
  });

  it('answers messages as soon as their blank line arrives', () => {
    const parser = new SseParser();
    const encode = (text: string) => new TextEncoder().encode(text);
    expect(parser.push(encode('id: 7\ndata: a\n'))).to.deep.equal([]);
    expect(parser.push(encode('\ndata: b\n\ndata: c'))).to.deep.equal([
      { id: '7', event: 'message', data: 'a' },
      { id: '7', event: 'message', data: 'b' },
    ]);
  });
});
