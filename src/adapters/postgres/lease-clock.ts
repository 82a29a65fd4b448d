import type { EndRunRequest, StartRunRequest } from '../../domain/index.js';

// The run port speaks in host times (`leaseUntil`, `expiredBy`, `now`); this store judges leases
// by the database's clock instead. The one place the two meet: a lease length is the difference
// of two host times (so the host clock's offset cancels out) and is added to the database's
// clock; expiry is checked against the database's clock, whatever host time the caller passed.

/** The lease length a start asks for, in ms (may be negative: already expired). */
export function leaseMsOfStart(request: StartRunRequest): number {
  return request.leaseUntil - request.now;
}

/** The lease length a renewal asks for, in ms, measured against the host's clock now. */
export function leaseMsOfRenewal(leaseUntil: number, now = Date.now()): number {
  return leaseUntil - now;
}

/** True when the caller is the reaper: it may end the run only if the lease has expired. */
export function isReaper(request: EndRunRequest): boolean {
  return request.token === undefined && request.expiredBy !== undefined;
}
