/** One Server-Sent Events message as received. */
export interface SseMessage {
  id?: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  data: any;
}

/** A real SSE connection over fetch, parsing messages and heartbeat comments as they arrive. */
export interface SseClient {
  status: number;
  headers: Headers;
  messages: SseMessage[];
  comments: string[];
  /** Resolves when the server has ended the stream. */
  ended: Promise<void>;
  /** Waits (up to 5 s) until a message matches, returning every message up to it. */
  until(predicate: (message: SseMessage) => boolean): Promise<SseMessage[]>;
  /** Waits (up to 5 s) until a comment line matches. */
  untilComment(predicate: (comment: string) => boolean): Promise<void>;
  /** Disconnects. */
  close(): void;
}

export async function connectSse(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
  const controller = new AbortController();
  const response = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: controller.signal });
  const messages: SseMessage[] = [];
  const comments: string[] = [];
  const ended = read(response, messages, comments).catch(() => {});
  const waitFor = async <T>(check: () => T | undefined, what: string): Promise<T> => {
    const deadline = Date.now() + 5000;
    for (;;) {
      const found = check();
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error(`SSE: no ${what} within 5 s; messages: ${JSON.stringify(messages)}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  return {
    status: response.status,
    headers: response.headers,
    messages,
    comments,
    ended,
    until: (predicate) =>
      waitFor(() => {
        const index = messages.findIndex(predicate);
        return index >= 0 ? messages.slice(0, index + 1) : undefined;
      }, 'matching message'),
    untilComment: (predicate) => waitFor(() => (comments.some(predicate) ? true : undefined), 'matching comment').then(() => {}),
    close: () => controller.abort(),
  };
}

async function read(response: Response, messages: SseMessage[], comments: string[]): Promise<void> {
  if (!response.body) return;
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let id: string | undefined;
      let data: string | undefined;
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) comments.push(line.slice(1).trim());
        else if (line.startsWith('id: ')) id = line.slice(4);
        else if (line.startsWith('data: ')) data = (data === undefined ? '' : `${data}\n`) + line.slice(6);
      }
      if (data !== undefined) messages.push({ id, data: JSON.parse(data) });
    }
  }
}
