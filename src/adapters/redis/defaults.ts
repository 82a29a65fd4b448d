// Defaults with no dependencies, so the server's configuration can show them without loading ioredis.

/** Default approximate length of the event stream. */
export const DEFAULT_EVENT_STREAM_MAX_LENGTH = 10_000;
