import type { GalleryEntry, GalleryHit, GalleryStoreV1, GalleryStoreV2, JsonValue } from './gallery-store';

/**
 * Wraps a version-1 store as a {@link GalleryStoreV2} (done by
 * `createGallery` automatically). Identities and entry ids are read from
 * `doEntries()` on each call (a full scan: fine for the small stores v1 was
 * used for); upserts remove the old ids first; metadata lives in memory only
 * (v1 has nowhere to persist it) and `exact` is assumed. Migrate by
 * implementing the v2 methods.
 *
 * @example
 * ```ts
 * const gallery = createGallery({ store: fromGalleryStoreV1(myV1Store) });
 * ```
 */
export function fromGalleryStoreV1(store: GalleryStoreV1): GalleryStoreV2 {
  const metadata = new Map<string, JsonValue>();
  const entries = async (): Promise<readonly GalleryEntry[]> => [...(await store.doEntries())].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const idsOf = async (identity: string): Promise<string[]> => (await entries()).filter((e) => e.identity === identity).map((e) => e.id);
  const upsert = async (list: readonly GalleryEntry[]): Promise<void> => {
    await store.doRemove(list.map((e) => e.id));
    await store.doAdd(list);
  };
  return {
    specificationVersion: 'v2',
    dimension: store.dimension,
    metric: store.metric,
    exact: true,
    count: async () => store.size(),
    doUpsert: upsert,
    doRemove: async (ids) => store.doRemove(ids),
    doRemoveIdentity: async (identity) => {
      const ids = await idsOf(identity);
      return ids.length ? store.doRemove(ids) : 0;
    },
    doReplaceIdentity: async (identity, list) => {
      const ids = await idsOf(identity);
      await upsert(list);
      const keep = new Set(list.map((e) => e.id));
      const drop = ids.filter((id) => !keep.has(id));
      if (drop.length) await store.doRemove(drop);
      return ids.length;
    },
    doIdentities: async () => [...new Set((await entries()).map((e) => e.identity))].sort(),
    doEntryIds: idsOf,
    doSearch: async (queries, k): Promise<GalleryHit[][]> => store.doSearch(queries, k),
    doEntries: entries,
    doGetMetadata: async (key) => metadata.get(key),
    doMetadata: async () => Object.fromEntries(metadata),
    doSetMetadata: async (key, value) => {
      if (value === undefined) metadata.delete(key);
      else metadata.set(key, value);
    },
    close: async () => store.dispose?.(),
  };
}
