import { MemorySessionStore } from '../../src/index.js';
import { describeSearchModel } from './search-model.js';

describeSearchModel('MemorySessionStore', (options) => new MemorySessionStore(options));
