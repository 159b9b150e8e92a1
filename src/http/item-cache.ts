// Feed items rendered once per article version and kept: a feed document is its frame plus these
// parts, joined (feed/fragments.ts proves the join byte-identical to a whole render). An item's
// markup depends on the article version, its page slug and its section's display name (other
// articles can change the last two), the site's URLs, and the document's mode: full content, or
// summaries only when the document would exceed its byte budget. Items of a format that
// `dependsOnBodies` (RSS: xmlns:dc) also depend on whether any item of the document has a body.
import type { ArticleContent } from '../article/types.ts';
import type { SiteConfig } from '../site/config.ts';
import { sha256Hex } from '../site/sha256.ts';
import type { ContentCache } from './content-cache.ts';
import { creditHtml } from '../article/credit.ts';
import { carriesBody } from '../feed/escape.ts';
import { FEED_FORMATS, FORMAT_DEFINITIONS, type FeedFormat } from '../feed/formats.ts';
import { renderItemFragment } from '../feed/fragments.ts';
import type { FeedItem } from '../feed/types.ts';
import { ownMediaPath, urlMediaType, type MediaInfo, type MediaSource } from '../site/media-types.ts';
import type { FeedStore, ListedArticle, Rendition } from '../store/types.ts';
import { absolute, articlePath, pagePath } from '../site/url-scheme.ts';

export type ItemMode = 'full' | 'summary';

/**
 * One kind of item markup: format, mode and, for a format that `dependsOnBodies`, whether some
 * item of the document has a body (`withBodies`; never in summary mode, where none has).
 */
export interface ItemKind {
  format: FeedFormat;
  mode: ItemMode;
  withBodies: boolean;
}

/**
 * The kinds a document usually needs, two per format (full, summary): what a publisher renders
 * ahead (D1 keeps them with the row). A full document none of whose items has a body asks for
 * the third kind of such a format, rendered then.
 */
export const ITEM_KINDS: readonly ItemKind[] = FEED_FORMATS.flatMap((format): ItemKind[] => [
  { format, mode: 'full', withBodies: FORMAT_DEFINITIONS[format].dependsOnBodies },
  { format, mode: 'summary', withBodies: false },
]);

/**
 * The name of a kind, as caches and drivers store it: `rss:full:dc`, `atom:summary`... Stored in
 * D1 and the Node state journal, so it keeps its first spelling: `:dc` (RSS's xmlns:dc) marks `withBodies`.
 */
export function kindName({ format, mode, withBodies }: ItemKind): string {
  return `${format}:${mode}${withBodies ? ':dc' : ''}`;
}

/**
 * Everything besides the kind that an item's markup depends on. A stored rendition whose key is
 * not this one (the slug moved, the section was renamed, another site URL) is rendered again.
 */
export function renditionKey(site: SiteConfig, listed: ListedArticle): string {
  return [RENDITION_FORMAT, listed.article.path, listed.version, listed.slug, listed.sectionName, site.baseUrl].join('\u0000');
}

// Bumped when item markup changes for the same input, so stored renditions are not reused.
// items-3: attribution (source, licence, credit line) and image enclosures (type, length, hash in the key).
const RENDITION_FORMAT = 'items-3';

/**
 * What an item's markup knows of its image when the image is one of the site's media files:
 * type and length (for <enclosure>), and the SHA-256 that names the version.
 */
export type ImageFacts = Pick<MediaInfo, 'type' | 'size' | 'sha256'>;

/** `renditionKey` for an item whose image is `facts` (a replaced image file renders the item again). */
export function itemKey(site: SiteConfig, listed: ListedArticle, facts: ImageFacts | undefined): string {
  const key = renditionKey(site, listed);
  return facts === undefined ? key : `${key}\u0000${facts.sha256}`;
}

/** The facts of the article's image when it is one of the site's media files within `maxBytes`. */
export async function imageFacts(site: SiteConfig, listed: ListedArticle, media: MediaSource | undefined, maxBytes: number): Promise<ImageFacts | undefined> {
  const image = listed.article.image;
  const path = media && image !== undefined ? ownMediaPath(site.baseUrl, image) : undefined;
  if (path === undefined) return undefined;
  const info = await media!.info(path).catch(() => undefined);
  return info === undefined || info.size > maxBytes ? undefined : { type: info.type, size: info.size, sha256: info.sha256 };
}

/** One item's markup, UTF-8 encoded, with what documents need to know of it. */
export interface ItemPart {
  bytes: Uint8Array;
  /** SHA-256 of `bytes`, hex: document ETags are computed from these, not from whole documents. */
  digest: string;
  /** Whether the item carries a body (decides `withBodies` of the document's kind: RSS's xmlns:dc). */
  hasBody: boolean;
}

/** Maps a listed article and its content to the renderers' model with absolute URLs. */
export function toFeedItem(site: SiteConfig, listed: ListedArticle, content: ArticleContent | undefined, facts?: ImageFacts): FeedItem {
  const { article } = listed;
  // The credit line ends the body, where readers show it (credit.ts); summaries carry the elements only.
  const credit = creditHtml(article.attribution);
  // A remote image (or a missing file) has no length: its type, if any, comes from its extension.
  const type = facts?.type ?? (article.image === undefined ? undefined : urlMediaType(article.image));
  return {
    id: article.id,
    url: absolute(site, articlePath(article.sectionSlug, listed.slug)),
    title: article.title,
    // Without its content (the file could not be read again) an item carries its title as the summary, and no body.
    summary: content?.summary ?? article.title,
    html: content === undefined || credit === undefined ? content?.html : `${content.html}\n${credit}`,
    authors: article.authors,
    tags: article.tags,
    category: {
      name: listed.sectionName,
      slug: article.sectionSlug,
      url: absolute(site, pagePath(article.sectionSlug)),
    },
    image: article.image,
    attribution: article.attribution,
    ...(type === undefined ? {} : { imageMedia: { type, ...(facts === undefined ? {} : { length: facts.size }) } }),
    publishedAt: article.publishedAt,
    updatedAt: article.updatedAt,
  };
}

/** The markup of `item` as `kind` needs it; `summary` mode drops the body. */
export function renderItem(kind: ItemKind, item: FeedItem): string {
  const { html: _html, ...summaryOnly } = item;
  return renderItemFragment(kind.format, kind.mode === 'full' ? item : summaryOnly, kind.withBodies);
}

/** Every kind of an article's item markup, for a driver to keep (D1 does, at publish time). */
export function renderRenditions(site: SiteConfig, listed: ListedArticle, content: ArticleContent, facts?: ImageFacts): ({ kind: string } & Rendition)[] {
  const item = toFeedItem(site, listed, content, facts);
  const key = itemKey(site, listed, facts);
  const hasBody = carriesBody(item);
  return ITEM_KINDS.map((kind) => ({ kind: kindName(kind), key, markup: renderItem(kind, item), hasBody: kind.mode === 'full' && hasBody }));
}

export interface ItemCache {
  /** The parts of `items` in `kind`, in order: from the cache, the driver's renditions, or rendered now. */
  parts(kind: ItemKind, items: ListedArticle[]): Promise<ItemPart[]>;
}

const encoder = new TextEncoder();

export interface ItemMediaOptions {
  /** Where the site's media files are looked up, for enclosure lengths and types. */
  source?: MediaSource;
  /** MEDIA_MAX_BYTES: larger files are not served, so not offered as enclosures. */
  maxBytes: number;
}

export function createItemCache(site: SiteConfig, store: FeedStore, content: ContentCache, media?: ItemMediaOptions): ItemCache {
  const { lru } = content;

  async function toPart(markup: string, hasBody: boolean): Promise<ItemPart> {
    const bytes = encoder.encode(markup);
    return { bytes, digest: await sha256Hex(bytes), hasBody };
  }

  return {
    async parts(kind, items) {
      const facts = await Promise.all(items.map((listed) => imageFacts(site, listed, media?.source, media?.maxBytes ?? 0)));
      const itemKeys = items.map((listed, index) => itemKey(site, listed, facts[index]));
      const keys = itemKeys.map((key) => `item\u0000${kindName(kind)}\u0000${key}`);
      const parts = keys.map((key) => lru.get(key) as ItemPart | undefined);
      const missing = () => items.flatMap((_listed, index) => (parts[index] === undefined ? [index] : []));
      let wanted = missing();
      if (wanted.length > 0 && store.renditions) {
        // Markup the driver rendered when the article was published: assembled, not rendered per request.
        const stored = await store.renditions(wanted.map((index) => items[index]!.article.path), kindName(kind));
        for (const index of wanted) {
          const listed = items[index]!;
          const rendition = stored.get(listed.article.path);
          if (rendition === undefined || rendition.key !== itemKeys[index]) continue;
          const part = await toPart(rendition.markup, kind.mode === 'full' && rendition.hasBody);
          parts[index] = part;
          lru.set(keys[index]!, part, partBytes(part), ownerOf(listed));
        }
        wanted = missing();
      }
      if (wanted.length > 0) {
        const contents = await content.contents(wanted.map((index) => items[index]!));
        for (const [position, index] of wanted.entries()) {
          const item = toFeedItem(site, items[index]!, contents[position], facts[index]);
          const part = await toPart(renderItem(kind, item), kind.mode === 'full' && carriesBody(item));
          parts[index] = part;
          // Rendered without its content (unreadable just now): not kept, the next document tries again.
          if (contents[position] !== undefined) lru.set(keys[index]!, part, partBytes(part), ownerOf(items[index]!));
        }
      }
      return parts as ItemPart[];
    },
  };
}

/**
 * The version an item part belongs to, for the cache to drop it when a newer version of the
 * article arrives: the article version, which its content shares. (Parts of an older slug or
 * section name of the same version age out as any entry does.)
 */
function ownerOf(listed: ListedArticle) {
  return { path: listed.article.path, version: listed.version };
}

/** What a kept part costs: its bytes, its digest and the object around them. */
function partBytes(part: ItemPart): number {
  return part.bytes.byteLength + 256;
}
