import { MemorySessionStore } from '../../src/index.js';
import { describeVisibilityProperty } from './visibility-property.js';

describeVisibilityProperty('MemorySessionStore', () => new MemorySessionStore(), { numRuns: 200, httpRuns: 40 });
