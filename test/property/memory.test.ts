import { MemorySessionStore } from '../../src/index.js';
import { describeManagerModel } from './manager-model.js';

describeManagerModel('MemorySessionStore', () => new MemorySessionStore());
