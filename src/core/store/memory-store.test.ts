import { describeStore } from '../../../test/store/store-suite.js';
import { createMemoryStore } from './memory-store.js';

describeStore('memory', () => ({ open: (clock) => Promise.resolve(createMemoryStore({ clock })) }), {
  shared: false,
});
