// Settings › Decoded images: the cache files compressed images were unpacked into (`cache:list`), the
// space they take, and removing one or all of them (`cache:clear`); state/cache-listing.svelte.ts.
import type { DecodedCacheEntry } from '../../shared/image.ts';
import type { EngineClient } from '../api.ts';
import { CacheListing } from './cache-listing.svelte.ts';

export interface KeptCache {
  readonly cachePath: string;
  readonly reason: string;
}

export class DecodedCaches extends CacheListing<DecodedCacheEntry, KeptCache> {
  constructor(client: EngineClient) {
    super({
      list: () => client.call('cache:list', {}),
      clear: (cachePaths) => client.call('cache:clear', cachePaths === undefined ? {} : { cachePaths: [...cachePaths] }),
    });
  }
}
