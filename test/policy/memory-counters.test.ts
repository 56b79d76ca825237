import { MemoryCounters } from '../../src/policy/counters/memory-counters.js';
import { countersConformance } from './policy-counters.case.js';

countersConformance('in-process', () => Promise.resolve(new MemoryCounters()));
