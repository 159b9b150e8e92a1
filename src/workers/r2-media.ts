// Media files on Workers: kept in the R2 bucket bound as `MEDIA`, keyed by their path inside the
// articles folder, with the SHA-256 of their bytes in the object's custom metadata (the strong
// ETag, the same one Node serves). D1 stays the home of articles.
import type { R2Bucket, R2ListOptions } from '@cloudflare/workers-types';
import { mediaType, type MediaSource } from '../site/media-types.ts';
import type { MediaPublisher, StoredFile } from '../publish/contract.ts';
import { sha256Hex } from '../site/sha256.ts';

/** The reads the app serves media from. */
export function createR2MediaSource(bucket: R2Bucket): MediaSource {
  return {
    async info(path) {
      const type = mediaType(path);
      const object = type === undefined ? null : await bucket.head(path);
      if (object === null || type === undefined) return undefined;
      return { size: object.size, type, sha256: shaOf(object), lastModified: object.uploaded };
    },
    async body(path, info, range) {
      const object = await bucket.get(path, range === undefined ? {} : { range: { offset: range.start, length: range.end - range.start + 1 } });
      if (object === null) return undefined;
      // Replaced between head() and get(): the caller answers "try again" rather than mixing versions.
      if (shaOf(object) !== info.sha256) {
        await object.body.cancel();
        return undefined;
      }
      return object.body as unknown as ReadableStream<Uint8Array>;
    },
  };
}

/** What the publish API stores media through. */
export function createR2MediaPublisher(bucket: R2Bucket): MediaPublisher {
  return {
    async put(path, bytes) {
      const sha256 = await sha256Hex(bytes);
      const before = await bucket.head(path);
      if (before !== null && shaOf(before) === sha256) return { ok: true, change: 'unchanged' };
      // R2 checks the bytes against `sha256` on arrival.
      await bucket.put(path, bytes, { sha256, httpMetadata: { contentType: mediaType(path) }, customMetadata: { sha256 } });
      return { ok: true, change: before === null ? 'created' : 'updated' };
    },
    async remove(path) {
      if ((await bucket.head(path)) === null) return false;
      await bucket.delete(path);
      return true;
    },
    async list() {
      const files: StoredFile[] = [];
      let cursor: string | undefined;
      do {
        // `include` is in R2's API (and workerd's) but not in these type definitions.
        const page = await bucket.list({ cursor, include: ['customMetadata'] } as R2ListOptions);
        for (const object of page.objects) {
          files.push({ path: object.key, sha256: shaOf(object), size: object.size, mtime: object.uploaded.toISOString() });
        }
        cursor = page.truncated ? page.cursor : undefined;
      } while (cursor !== undefined);
      return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    },
  };
}

/** The stored SHA-256; an object put without it (by hand) is named by R2's own MD5 ETag instead. */
function shaOf(object: { customMetadata?: Record<string, string>; etag: string }): string {
  return object.customMetadata?.sha256 ?? `md5-${object.etag}`;
}
