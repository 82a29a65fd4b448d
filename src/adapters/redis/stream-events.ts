import type { SessionDeleteReason, SessionEvent, SessionEventType, SessionStatus } from '../../domain/index.js';
import { fromHashFields } from './session-hash.js';

// How a change event sits in the Redis stream: two `event.*` fields, then the session's hash
// fields (see the `emitEvent` Lua helper). The entry id is the event id; its time part is `at`.

const STREAM_ID = /^([0-9]{1,16})-([0-9]{1,16})$/;

/** The event of one stream entry. */
export function toSessionEvent(id: string, fields: readonly string[]): SessionEvent {
  let type = '';
  let previousStatus = '';
  let reason = '';
  const sessionFields: string[] = [];
  for (let i = 0; i < fields.length; i += 2) {
    if (fields[i] === 'event.type') type = fields[i + 1];
    else if (fields[i] === 'event.previousStatus') previousStatus = fields[i + 1];
    else if (fields[i] === 'event.reason') reason = fields[i + 1];
    else sessionFields.push(fields[i], fields[i + 1]);
  }
  return {
    id,
    type: type as SessionEventType,
    session: fromHashFields(sessionFields),
    previousStatus: previousStatus === '' ? null : (previousStatus as SessionStatus),
    at: new Date(Number(id.slice(0, id.indexOf('-')))).toISOString(),
    ...(reason === '' ? {} : { reason: reason as SessionDeleteReason }),
  };
}

/** True when `id` is a stream entry id (`<ms>-<seq>`). */
export function isStreamId(id: string | undefined): id is string {
  return id !== undefined && STREAM_ID.test(id);
}

/** True when stream id `a` comes after `b`. */
export function streamIdAfter(a: string, b: string): boolean {
  const [, aMs, aSeq] = STREAM_ID.exec(a) as RegExpExecArray;
  const [, bMs, bSeq] = STREAM_ID.exec(b) as RegExpExecArray;
  return Number(aMs) !== Number(bMs) ? Number(aMs) > Number(bMs) : Number(aSeq) > Number(bSeq);
}
