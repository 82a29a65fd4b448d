import { expect } from 'chai';
import { SortedIndex } from '../src/adapters/memory/sorted-index.js';

// The memory store's list and search pages are read straight out of these arrays, so a key
// added in the wrong place is a session listed out of order.
describe('SortedIndex (the memory store’s ordered index)', () => {
  function keysOf(index: SortedIndex): string[] {
    return index.newestFirst(0, index.size).reverse();
  }

  it('keeps keys in order whether they land at the end, a few places before it, or far back', () => {
    const index = new SortedIndex();
    const added: string[] = [];
    let seed = 7;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    for (let i = 0; i < 2000; i++) {
      // Mostly "now" with a random id (near the end), sometimes an old time (far back).
      const ms = random() < 0.1 ? Math.floor(random() * i) : i;
      const key = `${String(ms).padStart(15, '0')}:${random().toString(36).slice(2)}`;
      index.add(key);
      added.push(key);
    }
    expect(keysOf(index)).to.deep.equal([...added].sort());
  });

  it('removes exactly the key asked for and pages newest first', () => {
    const index = new SortedIndex();
    for (const key of ['b', 'd', 'a', 'c', 'e']) index.add(key);
    index.remove('c');
    index.remove('zzz');
    expect(keysOf(index)).to.deep.equal(['a', 'b', 'd', 'e']);
    expect(index.newestFirst(1, 2)).to.deep.equal(['d', 'b']);
  });
});
