// `GET /status` for people: counts, rejected files and a chart of the last 30 days.
import { html } from 'hono/html';
import type { SiteConfig } from '../site/config.ts';
import type { StoreStatus } from '../store/types.ts';
import { absolute, pagePath } from '../site/url-scheme.ts';
import { layout } from './layout.ts';

export interface DayCount {
  /** `YYYY-MM-DD`, UTC. */
  day: string;
  articles: number;
}

const BAR = 16;
const HEIGHT = 120;

/** The status page: per-section counts, rejected files with reasons, articles per day. */
export function statusPage(site: SiteConfig, status: StoreStatus, perDay: DayCount[]) {
  const most = Math.max(1, ...perDay.map((d) => d.articles));
  const total = perDay.reduce((sum, d) => sum + d.articles, 0);
  return layout({
    site,
    title: `Status | ${site.title}`,
    body: html`<h1>Status</h1>
<p>${status.articles} articles in ${status.sections.length} sections${status.scheduled ? html`, ${status.scheduled} scheduled` : ''}.
Last change: ${status.updatedAt ? status.updatedAt.toISOString() : 'none yet'}. <a href="${absolute(site, '/status')}" type="application/json" data-format="json">JSON</a> (send <code>Accept: application/json</code>)</p>
<h2>Published per day, last 30 days</h2>
<svg role="img" aria-label="${total} articles published in the last 30 days" width="${perDay.length * BAR}" height="${HEIGHT + 20}" viewBox="0 0 ${perDay.length * BAR} ${HEIGHT + 20}">
${perDay.map((d, i) => {
  const height = Math.round((d.articles / most) * HEIGHT);
  return html`<rect x="${i * BAR + 2}" y="${HEIGHT - height}" width="${BAR - 4}" height="${height}" fill="#0b57d0"><title>${d.day}: ${d.articles}</title></rect>`;
})}
<text x="0" y="${HEIGHT + 15}" font-size="11">${perDay[0]?.day ?? ''}</text>
<text x="${perDay.length * BAR}" y="${HEIGHT + 15}" font-size="11" text-anchor="end">${perDay.at(-1)?.day ?? ''}</text>
</svg>
<h2>Sections</h2>
<table>
<thead><tr><th>Section</th><th>Articles</th><th>Last updated</th></tr></thead>
<tbody>
${status.sections.map(
  (s) => html`<tr><td><a href="${absolute(site, pagePath(s.slug))}">${s.name}</a></td><td>${s.articles}</td><td>${s.updatedAt.toISOString()}</td></tr>
`,
)}</tbody>
</table>
<h2>Rejected files (${status.rejected.length})</h2>
${
  status.rejected.length === 0
    ? html`<p>None.</p>`
    : html`<table>
<thead><tr><th>File</th><th>Reason</th></tr></thead>
<tbody>
${status.rejected.map((r) => html`<tr><td><code>${r.path}</code></td><td>${r.reason}</td></tr>
`)}</tbody>
</table>`
}`,
  });
}
