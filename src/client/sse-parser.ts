/** One Server-Sent Events message, as the WHATWG "event stream interpretation" dispatches it. */
export interface SseMessage {
  /** The last event id seen so far (it carries over to messages without an `id:` line); `''` if none. */
  id: string;
  /** The `event:` field, `message` when absent. */
  event: string;
  /** The `data:` lines, joined with `\n`. */
  data: string;
}

/**
 * An incremental parser of a `text/event-stream` body (the WHATWG HTML algorithm). Network
 * chunks end anywhere, even inside a UTF-8 character or between the CR and LF of one line end,
 * so everything not yet complete is kept for the next chunk.
 */
export class SseParser {
  // `fatal: false`: the spec decodes with replacement characters rather than failing the stream;
  // the default `ignoreBOM: false` strips the one leading BOM the spec allows.
  private readonly decoder = new TextDecoder('utf-8');
  private partialLine = '';
  // A chunk ended with CR: a LF opening the next chunk belongs to that same line end.
  private afterCr = false;
  private dataLines: string[] = [];
  private eventType = '';
  private idBuffer = '';
  // The spec's "last event ID": it carries over to later messages that have no `id:` line.
  private lastEventId = '';

  /** Feeds the next bytes of the body; answers the messages they completed, in order. */
  push(chunk: Uint8Array): SseMessage[] {
    let text = this.decoder.decode(chunk, { stream: true });
    if (this.afterCr && text !== '') {
      this.afterCr = false;
      if (text.startsWith('\n')) text = text.slice(1);
    }
    const messages: SseMessage[] = [];
    const lineEnd = /\r\n|\r|\n/g;
    let start = 0;
    for (let match = lineEnd.exec(text); match; match = lineEnd.exec(text)) {
      const line = this.partialLine + text.slice(start, match.index);
      this.partialLine = '';
      start = lineEnd.lastIndex;
      if (match[0] === '\r' && start === text.length) this.afterCr = true;
      this.processLine(line, messages);
    }
    this.partialLine += text.slice(start);
    return messages;
  }

  private processLine(line: string, messages: SseMessage[]): void {
    if (line === '') return this.dispatch(messages);
    if (line.startsWith(':')) return; // a comment, such as the server's heartbeat
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1); // only one space is syntax
    switch (field) {
      case 'data':
        this.dataLines.push(value);
        break;
      case 'event':
        this.eventType = value;
        break;
      case 'id':
        if (!value.includes('\0')) this.idBuffer = value;
        break;
      // `retry` only tunes automatic reconnection, which this client leaves to its caller.
    }
  }

  private dispatch(messages: SseMessage[]): void {
    // The id takes effect even for a message without data, so resuming skips it too.
    this.lastEventId = this.idBuffer;
    if (this.dataLines.length > 0) {
      messages.push({ id: this.lastEventId, event: this.eventType || 'message', data: this.dataLines.join('\n') });
    }
    this.dataLines = [];
    this.eventType = '';
  }
}
