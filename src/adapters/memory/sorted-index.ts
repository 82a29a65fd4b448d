// Sessions written in the same millisecond get random ids, so a new key often lands a few places
// before the end; stepping back that far beats a binary search over the whole index.
const TAIL_STEPS = 8;

/**
 * Sort keys in ascending order, read newest-first from the end. Keys start with a fixed-width
 * time, then the id, so plain string order is (time, id) order. Adding a key at or near the end
 * (the usual case) is O(1); other inserts and removals cost a binary search plus one array move.
 */
export class SortedIndex {
  private readonly keys: string[] = [];

  get size(): number {
    return this.keys.length;
  }

  add(key: string): void {
    const keys = this.keys;
    let at = keys.length;
    while (at > 0 && keys[at - 1] > key) {
      if (keys.length - at === TAIL_STEPS) {
        at = this.position(key);
        break;
      }
      at--;
    }
    if (at === keys.length) keys.push(key);
    else keys.splice(at, 0, key);
  }

  remove(key: string): void {
    const at = this.position(key);
    if (this.keys[at] === key) this.keys.splice(at, 1);
  }

  /** Up to `limit` keys, newest first, skipping the `offset` newest. */
  newestFirst(offset: number, limit: number): string[] {
    const page: string[] = [];
    for (let i = this.keys.length - 1 - offset; i >= 0 && page.length < limit; i--) page.push(this.keys[i]);
    return page;
  }

  /** The key at `position` in ascending order. */
  at(position: number): string {
    return this.keys[position];
  }

  /** Position of the first key after `key` (or at it, when `inclusive`). */
  positionAfter(key: string, inclusive: boolean): number {
    const at = this.position(key);
    return !inclusive && this.keys[at] === key ? at + 1 : at;
  }

  /** Index of the first key not less than `key`. */
  private position(key: string): number {
    let low = 0;
    let high = this.keys.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.keys[mid] < key) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}
