// The contract every FeedStore driver passes. A driver's test file calls `runDriverContract`,
// then adds its own cases. Every call is awaited: drivers may answer with promises.
import { beforeEach, describe, expect, it } from 'vitest';
import type { Article, ArticleMeta } from '../../src/article/types.ts';
import { suffixedSlug } from '../../src/store/slugs.ts';
import { termScope } from '../../src/store/terms.ts';
import type { FeedStore, ListOptions, PutResult } from '../../src/store/types.ts';
import { day, makeArticle } from './fixtures.ts';

const ADDED: PutResult = { ok: true, change: 'added' };
const UPDATED: PutResult = { ok: true, change: 'updated' };
const REMOVED: PutResult = { ok: true, change: 'removed' };
const UNCHANGED: PutResult = { ok: true, change: 'unchanged' };

/** An article as a store hands it back: everything but its body and summary, which `content(path)` gives. */
function metaOf(article: Article): ArticleMeta {
  const { html: _html, summary: _summary, ...meta } = article;
  return meta;
}

/** What a driver's factory gets from the suite: the clock its scheduling must follow. */
export interface ContractOptions {
  now: () => Date;
}

/** Runs the FeedStore contract against a fresh store from `makeStore` for every test. */
export function runDriverContract(
  name: string,
  makeStore: (options: ContractOptions) => FeedStore | Promise<FeedStore>,
): void {
  describe(`${name} store (driver contract)`, () => {
    let store: FeedStore;
    // Fixture dates are in March 2024; the clock starts well after them and tests move it.
    let clock = day(31);

    beforeEach(async () => {
      clock = day(31);
      store = await makeStore({ now: () => clock });
    });

    async function putAll(...articles: Article[]): Promise<void> {
      for (const article of articles) {
        expect(await store.put(article), article.path).toMatchObject({ ok: true });
      }
    }

    /** `path` publishes `article`: its fields from `get`, its body and summary from `content`. */
    async function expectPublished(path: string, article: Article): Promise<void> {
      expect(await store.get(path)).toEqual(metaOf(article));
      expect(await store.content(path)).toEqual({ html: article.html, summary: article.summary });
    }

    async function paths(options: Partial<ListOptions> = {}): Promise<string[]> {
      const page = await store.list({ limit: 1000, ...options });
      return page.items.map((item) => item.article.path);
    }

    async function slugOf(section: string, path: string): Promise<string | undefined> {
      const page = await store.list({ section, limit: 1000 });
      return page.items.find((item) => item.article.path === path)?.slug;
    }

    async function sectionNames(options: Partial<ListOptions> = {}): Promise<string[]> {
      const page = await store.list({ limit: 1000, ...options });
      return page.items.map((item) => item.sectionName);
    }

    async function rejected(): Promise<unknown[]> {
      return (await store.status()).rejected;
    }

    /** The overall revision, then each named section's. */
    async function revisions(...sections: string[]): Promise<number[]> {
      return Promise.all([store.revision(), ...sections.map((slug) => store.revision(slug))]);
    }

    describe('an empty store', () => {
      it('lists nothing and reports no change yet', async () => {
        expect(await store.list({ limit: 10 })).toMatchObject({ items: [], total: 0 });
        expect(await store.listSections()).toEqual([]);
        expect(await store.get('news/launch.md')).toBeUndefined();
        expect(await store.find('news', 'launch')).toBeUndefined();
        expect(await store.status()).toEqual({
          articles: 0,
          sections: [],
          rejected: [],
          scheduled: 0,
          updatedAt: null,
        });
        expect(typeof (await store.revision())).toBe('number');
      });
    });

    describe('put', () => {
      it('adds an article that get, list and find then return', async () => {
        const article = makeArticle({ path: 'news/launch.md' });
        const listed = { article: metaOf(article), version: expect.any(String), slug: 'launch', sectionName: 'News' };
        expect(await store.put(article)).toEqual(ADDED);
        await expectPublished('news/launch.md', article);
        expect(await store.list({ section: 'news', limit: 10 })).toEqual({
          items: [listed],
          total: 1,
          changedAt: await store.changedAt('news'),
        });
        expect(await store.find('news', 'launch')).toEqual(listed);
      });

      it('answers unchanged for an equal article and keeps the revision', async () => {
        await putAll(makeArticle());
        const before = await revisions('news');
        const { updatedAt } = await store.status();
        expect(await store.put(makeArticle())).toEqual(UNCHANGED);
        expect(await revisions('news')).toEqual(before);
        expect((await store.status()).updatedAt).toEqual(updatedAt);
      });

      it('compares dates by instant and treats an undefined field as missing', async () => {
        await putAll(makeArticle());
        const publishedAt = new Date(day(1).toISOString());
        expect(await store.put(makeArticle({ publishedAt, image: undefined }))).toEqual(UNCHANGED);
      });

      it('answers updated when any field differs, nested ones included', async () => {
        const title = 'New title';
        const tags = ['launch', 'world'];
        const authors = [{ name: 'Ada', email: 'ada@example.com', url: 'https://ada.example' }];
        await putAll(makeArticle());
        expect(await store.put(makeArticle({ title }))).toEqual(UPDATED);
        expect((await store.get('news/launch.md'))?.title).toBe(title);
        expect(await store.put(makeArticle({ title, tags }))).toEqual(UPDATED);
        expect(await store.put(makeArticle({ title, tags, authors }))).toEqual(UPDATED);
        await expectPublished('news/launch.md', makeArticle({ title, tags, authors }));
      });

      it('keeps an attribution, compares it like any field and lets it go again', async () => {
        const attribution = {
          source: 'Wikinews',
          sourceUrl: 'https://en.wikinews.org/wiki/A_%C5%84',
          license: 'CC BY 2.5',
          licenseUrl: 'https://creativecommons.org/licenses/by/2.5/',
          canonical: 'https://origin.example/a',
        };
        await putAll(makeArticle({ attribution }));
        await expectPublished('news/launch.md', makeArticle({ attribution }));
        expect((await store.find('news', 'launch'))?.article.attribution).toEqual(attribution);
        expect((await store.list({ limit: 1 })).items[0]?.article.attribution).toEqual(attribution);
        // Same keys in another order are the same attribution.
        const reordered = Object.fromEntries(Object.entries(attribution).reverse()) as typeof attribution;
        expect(await store.put(makeArticle({ attribution: reordered }))).toEqual(UNCHANGED);
        expect(await store.put(makeArticle({ attribution: { ...attribution, license: 'CC BY-SA 4.0' } }))).toEqual(UPDATED);
        expect((await store.get('news/launch.md'))?.attribution?.license).toBe('CC BY-SA 4.0');
        expect(await store.put(makeArticle())).toEqual(UPDATED);
        expect((await store.get('news/launch.md'))?.attribution).toBeUndefined();
      });

      it('gives the body and summary of the published version, and a new version name only when the article changed', async () => {
        expect(await store.content('news/launch.md')).toBeUndefined();
        await putAll(makeArticle({ html: '<p>First.</p>' }));
        expect((await store.content('news/launch.md'))?.html).toBe('<p>First.</p>');
        const first = (await store.find('news', 'launch'))!.version;
        expect(await store.put(makeArticle({ html: '<p>First.</p>' }))).toEqual(UNCHANGED);
        expect((await store.find('news', 'launch'))!.version).toBe(first);
        expect(await store.put(makeArticle({ html: '<p>Second.</p>' }))).toEqual(UPDATED);
        expect((await store.content('news/launch.md'))?.html).toBe('<p>Second.</p>');
        const second = (await store.find('news', 'launch'))!.version;
        expect(second).not.toBe(first);
        expect((await store.list({ limit: 1 })).items[0]!.version).toBe(second);
        expect(await store.remove('news/launch.md')).toBe(true);
        expect(await store.content('news/launch.md')).toBeUndefined();
      });

      it('keeps its own copy: changing the article after put changes nothing', async () => {
        const article = makeArticle({ path: 'news/a.md' });
        await putAll(article, makeArticle({ path: 'news/b.md', publishedAt: day(2) }));
        article.title = 'Changed behind the store';
        article.tags.push('sneaky');
        article.publishedAt.setTime(day(9).getTime());
        await expectPublished('news/a.md', makeArticle({ path: 'news/a.md' }));
        expect(await paths()).toEqual(['news/b.md', 'news/a.md']);
      });

      it('refuses invalid dates and keeps the last good version', async () => {
        const reason = 'publishedAt is not a valid date';
        await putAll(makeArticle());
        const broken = makeArticle({ title: 'Broken', publishedAt: new Date(Number.NaN) });
        expect(await store.put(broken)).toEqual({ ok: false, reason });
        expect((await store.get('news/launch.md'))?.title).toBe('About launch');
        expect(await rejected()).toEqual([{ path: 'news/launch.md', reason }]);
      });
    });

    describe('order', () => {
      it('lists a section newest first, ties by path', async () => {
        await putAll(
          makeArticle({ path: 'news/old.md', publishedAt: day(1) }),
          makeArticle({ path: 'news/b-tie.md', publishedAt: day(3) }),
          makeArticle({ path: 'news/new.md', publishedAt: day(5) }),
          makeArticle({ path: 'news/a-tie.md', publishedAt: day(3) }),
        );
        expect(await paths({ section: 'news' })).toEqual([
          'news/new.md',
          'news/a-tie.md',
          'news/b-tie.md',
          'news/old.md',
        ]);
      });

      it('gives the same order whatever order articles arrive in', async () => {
        const articles = Array.from({ length: 40 }, (_, i) =>
          makeArticle({ path: `news/${100 + i}.md`, publishedAt: day(1 + (i % 7)) }),
        );
        const newestFirst = (a: Article, b: Article): number =>
          b.publishedAt.getTime() - a.publishedAt.getTime() || (a.path < b.path ? -1 : 1);
        const expected = [...articles].sort(newestFirst).map((article) => article.path);
        // A fixed shuffle: every 7th article, wrapping around (7 and 40 are coprime).
        await putAll(...articles.map((_, i) => articles[(i * 7) % articles.length] as Article));
        expect(await paths({ section: 'news' })).toEqual(expected);
        expect(await paths()).toEqual(expected);
      });

      it('combines all sections newest first when no section is given', async () => {
        await putAll(
          makeArticle({ path: 'news/a.md', publishedAt: day(1) }),
          makeArticle({ path: 'sport/b.md', publishedAt: day(2) }),
          makeArticle({ path: 'news/c.md', publishedAt: day(3) }),
        );
        expect(await paths()).toEqual(['news/c.md', 'sport/b.md', 'news/a.md']);
        expect(await sectionNames()).toEqual(['News', 'Sport', 'News']);
      });

      it('moves an article when its date changes', async () => {
        await putAll(
          makeArticle({ path: 'news/a.md', publishedAt: day(1) }),
          makeArticle({ path: 'news/b.md', publishedAt: day(2) }),
          makeArticle({ path: 'news/c.md', publishedAt: day(3) }),
        );
        await putAll(makeArticle({ path: 'news/a.md', publishedAt: day(4) }));
        expect(await paths({ section: 'news' })).toEqual(['news/a.md', 'news/c.md', 'news/b.md']);
        await putAll(makeArticle({ path: 'news/c.md', publishedAt: day(1) }));
        expect(await paths({ section: 'news' })).toEqual(['news/a.md', 'news/b.md', 'news/c.md']);
        expect(await paths()).toEqual(['news/a.md', 'news/b.md', 'news/c.md']);
      });
    });

    describe('sections', () => {
      it('lists sections by slug with counts and the newest update', async () => {
        await putAll(
          makeArticle({ path: 'sport/a.md', updatedAt: day(4) }),
          makeArticle({ path: 'news/b.md', updatedAt: day(2) }),
          makeArticle({ path: 'news/c.md', updatedAt: day(6) }),
          makeArticle({ path: 'arts/d.md', updatedAt: day(1) }),
        );
        expect(await store.listSections()).toEqual([
          { slug: 'arts', name: 'Arts', articles: 1, updatedAt: day(1) },
          { slug: 'news', name: 'News', articles: 2, updatedAt: day(6) },
          { slug: 'sport', name: 'Sport', articles: 1, updatedAt: day(4) },
        ]);
      });

      it('recomputes the newest update when the newest article goes', async () => {
        await putAll(
          makeArticle({ path: 'news/b.md', updatedAt: day(2) }),
          makeArticle({ path: 'news/c.md', updatedAt: day(6) }),
        );
        await store.remove('news/c.md');
        expect((await store.listSections())[0]?.updatedAt).toEqual(day(2));
        await putAll(makeArticle({ path: 'news/b.md', updatedAt: day(1) }));
        expect((await store.listSections())[0]?.updatedAt).toEqual(day(1));
      });

      it('moves an article between sections and drops the emptied one', async () => {
        await putAll(makeArticle({ path: 'drafts/a.md' }), makeArticle({ path: 'news/b.md' }));
        await putAll(makeArticle({ path: 'drafts/a.md', section: 'News', sectionSlug: 'news' }));
        expect(await paths({ section: 'news' })).toEqual(['drafts/a.md', 'news/b.md']);
        expect(await store.list({ section: 'drafts', limit: 10 })).toMatchObject({ items: [], total: 0 });
        expect((await store.listSections()).map((section) => section.slug)).toEqual(['news']);
        expect(await store.find('drafts', 'a')).toBeUndefined();
        expect((await store.find('news', 'a'))?.article.path).toBe('drafts/a.md');
      });

      it('names a section by the spelling most of its articles use', async () => {
        const spelled = (path: string, section: string): Article =>
          makeArticle({ path, section, sectionSlug: 'politics' });
        const nameNow = async (): Promise<string | undefined> =>
          (await store.listSections())[0]?.name;

        await putAll(spelled('p/a.md', 'Politics'), spelled('p/b.md', 'politics'));
        await putAll(spelled('p/c.md', 'politics'));
        expect(await nameNow()).toBe('politics');
        expect(await sectionNames({ section: 'politics' })).toEqual(Array(3).fill('politics'));
        expect((await store.find('politics', 'a'))?.sectionName).toBe('politics');

        await putAll(spelled('p/d.md', 'Politics'));
        // A tie: the spelling that sorts first ('P' < 'p') wins.
        expect(await nameNow()).toBe('Politics');

        await putAll(spelled('p/a.md', 'POLITICS'));
        expect(await nameNow()).toBe('politics');
        await store.remove('p/b.md');
        await store.remove('p/c.md');
        expect(await nameNow()).toBe('POLITICS');
        expect(await sectionNames()).toEqual(['POLITICS', 'POLITICS']);
      });
    });

    describe('drafts', () => {
      it('does not publish a draft', async () => {
        expect(await store.put(makeArticle({ draft: true }))).toEqual(UNCHANGED);
        expect(await store.get('news/launch.md')).toBeUndefined();
        expect(await store.list({ limit: 10 })).toMatchObject({ items: [], total: 0 });
        expect(await store.listSections()).toEqual([]);
      });

      it('removes the published version when an article becomes a draft', async () => {
        await putAll(makeArticle());
        const before = await store.revision('news');
        expect(await store.put(makeArticle({ draft: true }))).toEqual(REMOVED);
        expect(await store.get('news/launch.md')).toBeUndefined();
        expect(await store.listSections()).toEqual([]);
        expect(await store.revision('news')).not.toBe(before);
        expect(await store.put(makeArticle({ draft: true }))).toEqual(UNCHANGED);
      });

      it('clears a rejection recorded for the path', async () => {
        await store.reject('news/launch.md', 'bad front matter');
        await putAll(makeArticle({ draft: true }));
        expect(await rejected()).toEqual([]);
      });
    });

    describe('unique ids', () => {
      const shared = 'tag:example.com,2024:shared';
      const usedBy = (path: string): string => `id "${shared}" is already used by ${path}`;

      it('refuses an id another path publishes, and records why', async () => {
        await putAll(makeArticle({ path: 'news/a.md', id: shared }));
        const refused = await store.put(makeArticle({ path: 'news/b.md', id: shared }));
        expect(refused).toEqual({ ok: false, reason: usedBy('news/a.md') });
        expect(await store.get('news/b.md')).toBeUndefined();
        expect(await paths()).toEqual(['news/a.md']);
        expect(await rejected()).toEqual([{ path: 'news/b.md', reason: usedBy('news/a.md') }]);
        // The owner itself may be put again.
        const edited = makeArticle({ path: 'news/a.md', id: shared, title: 'Edited' });
        expect(await store.put(edited)).toEqual(UPDATED);
      });

      it('publishes the waiting article when the owner is removed', async () => {
        const waiting = makeArticle({ path: 'news/b.md', id: shared, publishedAt: day(2) });
        await putAll(makeArticle({ path: 'news/a.md', id: shared }));
        await store.put(waiting);
        const before = await store.revision('news');
        expect(await store.remove('news/a.md')).toBe(true);
        await expectPublished('news/b.md', waiting);
        expect(await paths()).toEqual(['news/b.md']);
        expect(await rejected()).toEqual([]);
        expect(await store.revision('news')).not.toBe(before);
      });

      it('publishes the waiting article when the owner changes id or becomes a draft', async () => {
        await putAll(makeArticle({ path: 'news/a.md', id: shared }));
        await store.put(makeArticle({ path: 'news/b.md', id: shared }));
        await putAll(makeArticle({ path: 'news/a.md', id: 'tag:example.com,2024:other' }));
        expect(await paths()).toEqual(['news/a.md', 'news/b.md']);

        await store.put(makeArticle({ path: 'news/c.md', id: shared }));
        const draft = makeArticle({ path: 'news/b.md', id: shared, draft: true });
        expect(await store.put(draft)).toEqual(REMOVED);
        expect(await paths()).toEqual(['news/a.md', 'news/c.md']);
        expect(await rejected()).toEqual([]);
      });

      it('promotes the waiting path that sorts first; the others wait for it', async () => {
        await putAll(makeArticle({ path: 'news/a.md', id: shared }));
        await store.put(makeArticle({ path: 'news/d.md', id: shared }));
        await store.put(makeArticle({ path: 'news/c.md', id: shared }));
        await store.remove('news/a.md');
        expect(await paths()).toEqual(['news/c.md']);
        expect(await rejected()).toEqual([{ path: 'news/d.md', reason: usedBy('news/c.md') }]);
      });

      it("keeps a path's published version when its new version is refused", async () => {
        const refused = makeArticle({ path: 'news/b.md', id: shared, title: 'Refused' });
        await putAll(makeArticle({ path: 'news/a.md', id: shared }));
        await putAll(makeArticle({ path: 'news/b.md' }));
        expect(await store.put(refused)).toMatchObject({ ok: false });
        expect((await store.get('news/b.md'))?.title).toBe('About b');
        await store.remove('news/a.md');
        await expectPublished('news/b.md', refused);
      });

      it('forgets the waiting version once the path is put successfully or removed', async () => {
        await putAll(makeArticle({ path: 'news/a.md', id: shared }));
        await store.put(makeArticle({ path: 'news/b.md', id: shared, title: 'Stale' }));
        await putAll(makeArticle({ path: 'news/b.md', title: 'Fixed' }));
        expect(await rejected()).toEqual([]);
        await store.put(makeArticle({ path: 'news/c.md', id: shared }));
        expect(await store.remove('news/c.md')).toBe(true);
        await store.remove('news/a.md');
        expect(await paths()).toEqual(['news/b.md']);
        expect((await store.get('news/b.md'))?.title).toBe('Fixed');
      });

      it('forgets the waiting version when the path is rejected later', async () => {
        await putAll(makeArticle({ path: 'news/a.md', id: shared }));
        await store.put(makeArticle({ path: 'news/b.md', id: shared }));
        await store.reject('news/b.md', 'bad front matter');
        await store.remove('news/a.md');
        expect(await paths()).toEqual([]);
        expect(await rejected()).toEqual([{ path: 'news/b.md', reason: 'bad front matter' }]);
      });

      it('promotes in a chain when the promoted path gives up another id', async () => {
        const other = 'tag:example.com,2024:other';
        await putAll(
          makeArticle({ path: 'news/a.md', id: shared }),
          makeArticle({ path: 'news/b.md', id: other }),
        );
        await store.put(makeArticle({ path: 'news/b.md', id: shared, title: 'B takes shared' }));
        await store.put(makeArticle({ path: 'news/c.md', id: other }));
        await store.remove('news/a.md');
        expect((await store.get('news/b.md'))?.id).toBe(shared);
        expect((await store.get('news/c.md'))?.id).toBe(other);
        expect(await rejected()).toEqual([]);
      });
    });

    describe('page slugs', () => {
      it('gives the bare slug to the article published first and suffixes the others', async () => {
        const newer = makeArticle({ path: 'news/2024/report.md', publishedAt: day(2) });
        await putAll(newer, makeArticle({ path: 'news/2023/report.md', publishedAt: day(1) }));
        const suffixed = suffixedSlug('report', 'news/2024/report.md');
        expect(suffixed).toMatch(/^report-[0-9a-f]{6}$/);
        expect(await slugOf('news', 'news/2023/report.md')).toBe('report');
        expect(await slugOf('news', 'news/2024/report.md')).toBe(suffixed);
        expect((await store.find('news', 'report'))?.article.path).toBe('news/2023/report.md');
        expect(await store.find('news', suffixed)).toEqual({
          article: metaOf(newer),
          version: expect.any(String),
          slug: suffixed,
          sectionName: 'News',
        });
      });

      it('breaks a publishing-time tie by path', async () => {
        await putAll(makeArticle({ path: 'news/b/x.md' }), makeArticle({ path: 'news/a/x.md' }));
        expect(await slugOf('news', 'news/a/x.md')).toBe('x');
        expect(await slugOf('news', 'news/b/x.md')).toBe(suffixedSlug('x', 'news/b/x.md'));
      });

      it('hands the bare slug over as colliding articles come and go', async () => {
        const [a, b, c] = ['news/a/x.md', 'news/b/x.md', 'news/c/x.md'] as const;
        await putAll(makeArticle({ path: b, publishedAt: day(2) }));
        expect(await slugOf('news', b)).toBe('x');

        await putAll(makeArticle({ path: a, publishedAt: day(1) }));
        await putAll(makeArticle({ path: c, publishedAt: day(3) }));
        expect(await slugOf('news', a)).toBe('x');
        expect(await slugOf('news', b)).toBe(suffixedSlug('x', b));
        expect(await store.find('news', 'x')).toMatchObject({ slug: 'x', article: { path: a } });
        expect(await store.find('news', suffixedSlug('x', a))).toBeUndefined();

        await store.remove(a);
        expect(await slugOf('news', b)).toBe('x');
        expect(await store.find('news', suffixedSlug('x', b))).toBeUndefined();
        expect((await store.find('news', 'x'))?.article.path).toBe(b);

        await putAll(makeArticle({ path: b, publishedAt: day(4) }));
        expect(await slugOf('news', c)).toBe('x');
        expect(await slugOf('news', b)).toBe(suffixedSlug('x', b));
        expect((await store.find('news', suffixedSlug('x', b)))?.article.path).toBe(b);
      });

      it('resolves slugs per section', async () => {
        await putAll(makeArticle({ path: 'news/x.md' }), makeArticle({ path: 'sport/x.md' }));
        expect(await slugOf('news', 'news/x.md')).toBe('x');
        expect(await slugOf('sport', 'sport/x.md')).toBe('x');

        const moved = { section: 'News', sectionSlug: 'news', publishedAt: day(0) };
        await putAll(makeArticle({ path: 'sport/x.md', ...moved }));
        expect(await slugOf('news', 'sport/x.md')).toBe('x');
        expect(await slugOf('news', 'news/x.md')).toBe(suffixedSlug('x', 'news/x.md'));
        expect(await store.find('sport', 'x')).toBeUndefined();
      });

      it('suffixes by path alone, so a slug does not depend on arrival order', async () => {
        await putAll(
          makeArticle({ path: 'news/0/x.md' }),
          makeArticle({ path: 'news/2/x.md' }),
          makeArticle({ path: 'news/1/x.md' }),
        );
        const page = await store.list({ section: 'news', limit: 10 });
        expect(page.items.map((item) => item.slug)).toEqual([
          'x',
          suffixedSlug('x', 'news/1/x.md'),
          suffixedSlug('x', 'news/2/x.md'),
        ]);
        expect(new Set(page.items.map((item) => item.slug)).size).toBe(3);
      });
    });

    describe('rejections and remove', () => {
      it('records and overwrites a rejection, keeping the published version', async () => {
        await putAll(makeArticle({ path: 'news/b.md' }));
        await store.reject('news/b.md', 'first reason');
        await store.reject('news/b.md', 'second reason');
        await store.reject('news/a.md', 'not utf-8');
        await expectPublished('news/b.md', makeArticle({ path: 'news/b.md' }));
        expect(await store.status()).toMatchObject({
          articles: 1,
          rejected: [
            { path: 'news/a.md', reason: 'not utf-8' },
            { path: 'news/b.md', reason: 'second reason' },
          ],
        });
      });

      it('clears a rejection on a successful put, even an unchanged one', async () => {
        await putAll(makeArticle());
        await store.reject('news/launch.md', 'broken for a moment');
        expect(await store.put(makeArticle())).toEqual(UNCHANGED);
        expect(await rejected()).toEqual([]);
      });

      it('removes an article and reports whether anything changed', async () => {
        await putAll(makeArticle({ path: 'news/a.md' }), makeArticle({ path: 'news/b.md' }));
        expect(await store.remove('news/a.md')).toBe(true);
        expect(await store.remove('news/a.md')).toBe(false);
        expect(await store.remove('news/unknown.md')).toBe(false);
        expect(await store.get('news/a.md')).toBeUndefined();
        expect(await store.find('news', 'a')).toBeUndefined();
        expect(await paths()).toEqual(['news/b.md']);
        expect((await store.status()).articles).toBe(1);
      });

      it('removes a rejection-only path', async () => {
        await store.reject('news/a.md', 'bad');
        expect(await store.remove('news/a.md')).toBe(true);
        expect(await rejected()).toEqual([]);
        expect(await store.remove('news/a.md')).toBe(false);
      });
    });

    describe('list', () => {
      beforeEach(async () => {
        for (let i = 1; i <= 5; i++) {
          await putAll(makeArticle({ path: `news/${i}.md`, publishedAt: day(i) }));
        }
        await putAll(makeArticle({ path: 'sport/6.md', publishedAt: day(6) }));
      });

      it('pages with limit and offset and counts the total', async () => {
        const page = await store.list({ section: 'news', limit: 2, offset: 1 });
        expect(page.items.map((item) => item.article.path)).toEqual(['news/4.md', 'news/3.md']);
        expect(page.total).toBe(5);
        expect(await paths({ section: 'news', limit: 10, offset: 4 })).toEqual(['news/1.md']);
        expect(await store.list({ limit: 2 })).toMatchObject({ total: 6 });
        expect(await paths({ limit: 2 })).toEqual(['sport/6.md', 'news/5.md']);
      });

      it('returns no items for limit 0 or an offset past the end', async () => {
        const none = { items: [], total: 5 };
        expect(await store.list({ section: 'news', limit: 0 })).toMatchObject(none);
        expect(await store.list({ section: 'news', limit: 3, offset: 5 })).toMatchObject(none);
      });

      it('returns nothing for an unknown section', async () => {
        const none = { items: [], total: 0 };
        expect(await store.list({ section: 'weather', limit: 10 })).toMatchObject({ ...none, changedAt: null });
        expect(await store.find('weather', '1')).toBeUndefined();
        expect(await store.find('news', 'weather')).toBeUndefined();
      });
    });

    describe('status', () => {
      it('counts articles and reports when content last changed', async () => {
        await putAll(makeArticle({ path: 'news/a.md' }), makeArticle({ path: 'sport/b.md' }));
        const status = await store.status();
        expect(status.articles).toBe(2);
        expect(status.sections.map((section) => section.slug)).toEqual(['news', 'sport']);
        // The store's clock, not the wall clock: the suite hands every driver its own.
        expect(status.updatedAt).toEqual(clock);
      });
    });

    describe('revision', () => {
      it('changes on every change to published content', async () => {
        const seen = new Set([await store.revision()]);
        const expectNewRevision = async (): Promise<void> => {
          const revision = await store.revision();
          expect(seen.has(revision)).toBe(false);
          seen.add(revision);
        };
        await putAll(makeArticle());
        await expectNewRevision();
        await putAll(makeArticle({ title: 'Edited' }));
        await expectNewRevision();
        await putAll(makeArticle({ path: 'sport/b.md' }));
        await expectNewRevision();
        await store.remove('sport/b.md');
        await expectNewRevision();
        await putAll(makeArticle({ draft: true }));
        await expectNewRevision();
      });

      it('does not change for unchanged puts, rejections or unknown removals', async () => {
        await putAll(makeArticle());
        const before = await revisions('news');
        await putAll(makeArticle());
        await store.reject('news/launch.md', 'bad');
        await store.reject('news/other.md', 'bad');
        await store.put(makeArticle({ path: 'news/copy.md', id: makeArticle().id }));
        await store.remove('news/unknown.md');
        await store.remove('news/other.md');
        expect(await revisions('news')).toEqual(before);
      });

      it('changes only the revisions of the sections a change touches', async () => {
        await putAll(
          makeArticle({ path: 'news/a.md' }),
          makeArticle({ path: 'sport/b.md' }),
          makeArticle({ path: 'arts/c.md' }),
        );
        const [all, news, sport, arts] = await revisions('news', 'sport', 'arts');

        await putAll(makeArticle({ path: 'news/a.md', title: 'Edited' }));
        const [all2, news2, sport2, arts2] = await revisions('news', 'sport', 'arts');
        expect(all2).not.toBe(all);
        expect(news2).not.toBe(news);
        expect(sport2).toBe(sport);
        expect(arts2).toBe(arts);

        const moved = { title: 'Edited', section: 'Sport', sectionSlug: 'sport' };
        await putAll(makeArticle({ path: 'news/a.md', ...moved }));
        const [all3, news3, sport3, arts3] = await revisions('news', 'sport', 'arts');
        expect(all3).not.toBe(all2);
        expect(news3).not.toBe(news2);
        expect(sport3).not.toBe(sport2);
        expect(arts3).toBe(arts2);
      });

      it('changes for a section that appears or empties', async () => {
        const unknown = await store.revision('weather');
        expect(typeof unknown).toBe('number');
        await putAll(makeArticle({ path: 'weather/rain.md' }));
        const withArticle = await store.revision('weather');
        expect(withArticle).not.toBe(unknown);
        await store.remove('weather/rain.md');
        const emptied = await store.revision('weather');
        expect(emptied).not.toBe(withArticle);
        await putAll(makeArticle({ path: 'weather/rain.md' }));
        expect(await store.revision('weather')).not.toBe(emptied);
      });
    });

    describe('changedAt', () => {
      it("follows the clock of each section's last change, like revision", async () => {
        expect(await store.changedAt()).toBeNull();
        expect(await store.changedAt('news')).toBeNull();
        const first = clock;
        await putAll(makeArticle({ path: 'news/a.md' }));
        clock = new Date(first.getTime() + 5000);
        await putAll(makeArticle({ path: 'sport/b.md' }));
        expect(await store.changedAt('news')).toEqual(first);
        expect(await store.changedAt('sport')).toEqual(clock);
        expect(await store.changedAt()).toEqual(clock);
        const later = new Date(clock.getTime() + 5000);
        clock = later;
        await store.remove('news/a.md');
        expect(await store.changedAt()).toEqual(later);
        await store.reject('sport/b.md', 'broken');
        expect(await store.changedAt('sport')).toEqual(new Date(first.getTime() + 5000));
      });

      it('comes with each listing too, as changedAt would answer it', async () => {
        expect((await store.list({ limit: 1 })).changedAt).toBeNull();
        const first = clock;
        await putAll(makeArticle({ path: 'news/a.md' }));
        clock = new Date(first.getTime() + 7000);
        await putAll(makeArticle({ path: 'sport/b.md' }));
        expect((await store.list({ section: 'news', limit: 1 })).changedAt).toEqual(first);
        expect((await store.list({ section: 'sport', limit: 0 })).changedAt).toEqual(clock);
        expect((await store.list({ limit: 5 })).changedAt).toEqual(clock);
      });
    });

    describe('tags and authors', () => {
      const tagged = (path: string, tags: string[], authors: string[], published = day(1)) =>
        makeArticle({ path, tags, authors: authors.map((name) => ({ name })), publishedAt: published, updatedAt: published });

      it('lists the articles of a tag or an author newest first, folding names like section names', async () => {
        await putAll(
          tagged('news/a.md', ['Climate', 'Energy'], ['Ada Lovelace'], day(1)),
          tagged('sport/b.md', [' climate '], ['ada lovelace', 'Bob'], day(3)),
          tagged('news/c.md', ['Energy'], ['Bob'], day(2)),
        );
        expect(await paths({ tag: 'climate' })).toEqual(['sport/b.md', 'news/a.md']);
        expect(await paths({ tag: 'energy' })).toEqual(['news/c.md', 'news/a.md']);
        expect(await paths({ author: 'ada-lovelace' })).toEqual(['sport/b.md', 'news/a.md']);
        expect(await paths({ author: 'bob' })).toEqual(['sport/b.md', 'news/c.md']);
        // Listed as sections list them: page slug and section name included.
        const page = await store.list({ tag: 'climate', limit: 1, offset: 1 });
        expect(page).toMatchObject({ total: 2, termName: 'Climate' });
        expect(page.items.map((item) => [item.article.path, item.slug, item.sectionName])).toEqual([['news/a.md', 'a', 'News']]);
        expect(await store.list({ tag: 'nothing', limit: 10 })).toMatchObject({ items: [], total: 0 });
        expect(await store.list({ author: 'climate', limit: 10 })).toMatchObject({ items: [], total: 0 });
      });

      it('counts an article once under a tag it gives in two spellings', async () => {
        await putAll(tagged('news/a.md', ['Climate', 'climate', '  '], ['Ada', 'ADA']));
        expect((await store.list({ tag: 'climate', limit: 10 })).total).toBe(1);
        expect(await store.listTerms('tag')).toEqual([{ slug: 'climate', name: 'Climate', articles: 1, updatedAt: day(1) }]);
        expect(await store.listTerms('author')).toEqual([{ slug: 'ada', name: 'Ada', articles: 1, updatedAt: day(1) }]);
      });

      it('lists tags and authors by slug, with counts, the most used spelling and the newest update', async () => {
        await putAll(
          tagged('news/a.md', ['climate'], ['Bob'], day(1)),
          tagged('news/b.md', ['Climate'], ['Ada'], day(2)),
          tagged('news/c.md', ['Climate', 'Zoo'], ['Ada'], day(3)),
        );
        expect(await store.listTerms('tag')).toEqual([
          { slug: 'climate', name: 'Climate', articles: 3, updatedAt: day(3) },
          { slug: 'zoo', name: 'Zoo', articles: 1, updatedAt: day(3) },
        ]);
        expect(await store.listTerms('author')).toEqual([
          { slug: 'ada', name: 'Ada', articles: 2, updatedAt: day(3) },
          { slug: 'bob', name: 'Bob', articles: 1, updatedAt: day(1) },
        ]);
        await store.remove('news/c.md');
        expect(await store.listTerms('tag')).toEqual([{ slug: 'climate', name: 'Climate', articles: 2, updatedAt: day(2) }]);
        expect((await store.list({ tag: 'climate', limit: 10 })).termName).toBe('Climate');
      });

      it('follows edits, drafts and removals', async () => {
        await putAll(tagged('news/a.md', ['climate'], ['Ada']));
        expect(await store.put(tagged('news/a.md', ['energy'], ['Bob']))).toEqual(UPDATED);
        expect(await paths({ tag: 'climate' })).toEqual([]);
        expect(await paths({ tag: 'energy' })).toEqual(['news/a.md']);
        expect(await paths({ author: 'ada' })).toEqual([]);
        expect((await store.listTerms('tag')).map((term) => term.slug)).toEqual(['energy']);
        expect(await store.put({ ...tagged('news/a.md', ['energy'], ['Bob']), draft: true })).toEqual(REMOVED);
        expect(await store.listTerms('tag')).toEqual([]);
        expect(await store.listTerms('author')).toEqual([]);
        await putAll(tagged('news/b.md', ['energy'], []));
        expect(await store.remove('news/b.md')).toBe(true);
        expect(await paths({ tag: 'energy' })).toEqual([]);
      });

      it('lists a waiting article under its tags once it is published', async () => {
        const shared = 'tag:example.com,2024:shared';
        await putAll(makeArticle({ path: 'news/a.md', id: shared, tags: ['one'] }));
        await store.put(makeArticle({ path: 'news/b.md', id: shared, tags: ['two'] }));
        expect(await paths({ tag: 'two' })).toEqual([]);
        await store.remove('news/a.md');
        expect(await paths({ tag: 'two' })).toEqual(['news/b.md']);
        expect(await paths({ tag: 'one' })).toEqual([]);
      });

      it('keeps a scheduled article out of its tags until its time', async () => {
        const due = new Date(clock.getTime() + 60_000);
        await store.put(makeArticle({ path: 'news/later.md', tags: ['soon'], publishedAt: due, updatedAt: due }));
        expect(await paths({ tag: 'soon' })).toEqual([]);
        expect(await store.listTerms('tag')).toEqual([]);
        clock = new Date(due.getTime() + 1);
        expect(await paths({ tag: 'soon' })).toEqual(['news/later.md']);
      });

      it("moves a tag's revision and changedAt when its listing changes, and only then", async () => {
        await putAll(tagged('news/a.md', ['climate'], ['Ada']), tagged('news/b.md', ['energy'], ['Bob']));
        const climate = termScope('tag', 'climate');
        const ada = termScope('author', 'ada');
        const before = [await store.revision(climate), await store.revision(ada)];
        expect(before.every((revision) => revision > 0)).toBe(true);
        clock = new Date(clock.getTime() + 5000);
        await putAll(tagged('news/b.md', ['energy'], ['Bob'], day(2)));
        expect([await store.revision(climate), await store.revision(ada)]).toEqual(before);
        await putAll(tagged('news/a.md', ['climate'], ['Ada'], day(2)));
        expect(await store.revision(climate)).not.toBe(before[0]);
        expect(await store.revision(ada)).not.toBe(before[1]);
        expect(await store.changedAt(climate)).toEqual(clock);
        expect((await store.list({ tag: 'climate', limit: 1 })).changedAt ?? clock).toEqual(clock);
        // A tag gained or lost counts as a change of its listing.
        const energy = await store.revision(termScope('tag', 'energy'));
        await putAll(tagged('news/a.md', ['climate', 'energy'], ['Ada'], day(2)));
        expect(await store.revision(termScope('tag', 'energy'))).not.toBe(energy);
        expect(await store.revision(termScope('tag', 'never'))).toBe(0);
        expect(await store.changedAt(termScope('tag', 'never'))).toBeNull();
      });
    });

    describe('scheduled publishing', () => {
      const future = () => new Date(clock.getTime() + 60_000);

      it('keeps an article dated in the future out of every answer until its time', async () => {
        await putAll(makeArticle({ path: 'news/now.md', publishedAt: day(2) }));
        const due = future();
        const revision = await store.revision('news');
        expect(await store.put(makeArticle({ path: 'news/later.md', publishedAt: due, updatedAt: due }))).toEqual({
          ok: true,
          change: 'scheduled',
        });
        expect(await paths()).toEqual(['news/now.md']);
        expect(await store.get('news/later.md')).toBeUndefined();
        expect(await store.find('news', 'later')).toBeUndefined();
        expect((await store.status()).articles).toBe(1);
        expect((await store.status()).scheduled).toBe(1);
        expect(await store.nextScheduledAt()).toEqual(due);
        expect(await store.revision('news')).toBe(revision);

        clock = new Date(due.getTime() + 1);
        expect(await paths()).toEqual(['news/later.md', 'news/now.md']);
        expect(await store.revision('news')).not.toBe(revision);
        expect((await store.status()).scheduled).toBe(0);
        expect(await store.nextScheduledAt()).toBeNull();
      });

      it('takes a published article off until its new, later date', async () => {
        await putAll(makeArticle({ path: 'news/moved.md', publishedAt: day(2) }));
        const due = future();
        expect(await store.put(makeArticle({ path: 'news/moved.md', publishedAt: due, updatedAt: due }))).toMatchObject({
          change: 'scheduled',
        });
        expect(await paths()).toEqual([]);
        clock = due;
        expect(await paths()).toEqual(['news/moved.md']);
      });

      it('forgets a scheduled article that is removed or turned into a draft', async () => {
        const due = future();
        await store.put(makeArticle({ path: 'news/a.md', publishedAt: due, updatedAt: due }));
        await store.put(makeArticle({ path: 'news/b.md', publishedAt: due, updatedAt: due }));
        expect(await store.remove('news/a.md')).toBe(true);
        expect(await store.put(makeArticle({ path: 'news/b.md', publishedAt: due, updatedAt: due, draft: true }))).toMatchObject({ ok: true });
        expect(await store.nextScheduledAt()).toBeNull();
        clock = new Date(due.getTime() + 1);
        expect(await paths()).toEqual([]);
      });

      it('publishes a scheduled article whose date is brought back to the past at once', async () => {
        const due = future();
        await store.put(makeArticle({ path: 'news/x.md', publishedAt: due, updatedAt: due }));
        expect(await store.put(makeArticle({ path: 'news/x.md', publishedAt: day(3) }))).toEqual(ADDED);
        expect(await paths()).toEqual(['news/x.md']);
        expect(await store.nextScheduledAt()).toBeNull();
      });
    });
  });
}
