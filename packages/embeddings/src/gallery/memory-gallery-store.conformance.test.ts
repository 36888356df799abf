import { beforeAll } from 'vitest';
import '@likeness/backends/cpu';
import { useBackend } from '@likeness/backends';
import { describeGalleryStoreConformance } from '../testing';
import { MemoryGalleryStore } from './memory-gallery-store';

beforeAll(async () => {
  await useBackend('cpu');
});

// blockSize 300: the 2000-entry k-NN check searches across 7 blocks; searches on 2 worker threads, then on the calling thread
describeGalleryStoreConformance({ name: 'MemoryGalleryStore', open: async (_key, o) => new MemoryGalleryStore(o.dimension, o.metric, 4, { blockSize: 300, threads: 2, minRowsPerThread: 1 }) });
describeGalleryStoreConformance({ name: 'MemoryGalleryStore, threads: 1', open: async (_key, o) => new MemoryGalleryStore(o.dimension, o.metric, 4, { blockSize: 300, threads: 1 }) });
