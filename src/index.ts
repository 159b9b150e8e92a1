// The package's library entry (`import … from 'wirefeed'`): the runtime-agnostic core, for code
// that builds its own server or Worker around wirefeed's app. The Node pieces (serving a folder,
// the static build) are `wirefeed/node`; the Worker entry is `wirefeed/worker`.
export { createApp, type AppOptions } from './http/app.ts';
export {
  appSettingsOf,
  parseOptionsOf,
  resolveConfig,
  SETTINGS,
  type Config,
  type Env,
  type SettingName,
  type SiteConfig,
} from './site/config.ts';
export { createMemoryStore, type MemoryStore, type MemoryStoreOptions } from './store/drivers/memory.ts';
export type * from './store/types.ts';
export { parseArticle } from './article/parse.ts';
export type { Article, ArticleContent, ArticleMeta, ArticleSource, Author, ParseOptions, ParseResult } from './article/types.ts';
export { renderAtom } from './feed/atom.ts';
export { renderJsonFeed } from './feed/json-feed.ts';
export { renderRss } from './feed/rss.ts';
export type { FeedItem, FeedLinks, FeedMeta, FeedPaging } from './feed/types.ts';
export { ArticleParseError, BadRequestError, ConfigError, NotFoundError, StoreError } from './errors.ts';
