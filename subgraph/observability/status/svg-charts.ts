// The page's charts as inline SVG drawn on the server: a line chart over the window, horizontal bars, a bucket
// distribution and an open/closed strip. Colours come from classes (c0..c7) in the page's one style sheet, so the
// markup carries no style attribute and the Content-Security-Policy can allow that one sheet by its hash.
import { html } from './escape-html';
import type { SafeHtml } from './escape-html';
import { formatSpan } from './format';
import type { TimeSeries } from './view-types';

export const PALETTE_SIZE = 8;
const colour = (index: number) => `c${index % PALETTE_SIZE}`;

const WIDTH = 640;
const HEIGHT = 190;
const PLOT = { left: 64, right: 12, top: 10, bottom: 26 };
const round = (value: number) => Math.round(value * 10) / 10;

export interface LineChartOptions {
  /** For the SVG's accessible name; also the id prefix of its title. */
  id: string;
  title: string;
  series: readonly TimeSeries[];
  from: number;
  to: number;
  format: (value: number) => string;
  /** The top of the y axis at least (1 for a share); the data's maximum otherwise. */
  yMax?: number;
}

export function lineChart(options: LineChartOptions): SafeHtml {
  const { id, title, series, from, to, format } = options;
  const drawn = series.filter((one) => one.points.length > 0);
  if (drawn.length === 0) return empty(title);
  const top =
    Math.max(options.yMax ?? 0, ...drawn.flatMap((one) => one.points.map((point) => point.value))) || 1;
  const width = WIDTH - PLOT.left - PLOT.right;
  const height = HEIGHT - PLOT.top - PLOT.bottom;
  const x = (at: number) => round(PLOT.left + (to > from ? ((at - from) / (to - from)) * width : width));
  const y = (value: number) => round(PLOT.top + height - (value / top) * height);
  const grid = [0, 0.5, 1].map(
    (share) =>
      html`<line
          class="grid"
          x1="${PLOT.left}"
          x2="${WIDTH - PLOT.right}"
          y1="${y(top * share)}"
          y2="${y(top * share)}"
        />
        <text class="tick" x="${PLOT.left - 6}" y="${y(top * share) + 4}" text-anchor="end"
          >${format(top * share)}</text
        >`,
  );
  const lines = drawn.map((one, index) => {
    const points = [...one.points].sort((a, b) => a.at - b.at);
    const d = points.map((point, at) => `${at === 0 ? 'M' : 'L'}${x(point.at)} ${y(point.value)}`).join(' ');
    const dots = points.map(
      (point) =>
        html`<circle class="dot ${colour(index)}" cx="${x(point.at)}" cy="${y(point.value)}" r="2.5"
          ><title>${one.name}: ${format(point.value)} at ${new Date(point.at).toISOString()}</title></circle
        >`,
    );
    return html`<path class="line ${colour(index)}" d="${d}" />${dots}`;
  });
  return html`<figure class="chart">
    <svg class="chart-svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-labelledby="${id}-title">
      <title id="${id}-title">${title}</title>
      ${grid}
      <text class="tick" x="${PLOT.left}" y="${HEIGHT - 6}">−${formatSpan(to - from)}</text>
      <text class="tick" x="${WIDTH - PLOT.right}" y="${HEIGHT - 6}" text-anchor="end">now</text>
      ${lines}
    </svg>
    ${legend(drawn.map((one) => one.name))}
  </figure>`;
}

export interface Bar {
  label: string;
  /** One bar per value, drawn one under the other; a null value draws none. */
  values: readonly { name: string; value: number | null }[];
}

const LABEL_WIDTH = 190;
/** About what fits LABEL_WIDTH at the labels' size; a longer label is cut, whole in its tooltip. */
const LABEL_CHARS = 32;
const BAR_HEIGHT = 12;

export function barChart(options: {
  id: string;
  title: string;
  bars: readonly Bar[];
  format: (value: number) => string;
}): SafeHtml {
  const { id, title, bars, format } = options;
  const values = bars.flatMap((bar) => bar.values.map((one) => one.value ?? 0));
  if (bars.length === 0 || values.every((value) => value <= 0)) return empty(title);
  const top = Math.max(...values);
  const perBar = Math.max(1, ...bars.map((bar) => bar.values.length));
  const rowHeight = perBar * (BAR_HEIGHT + 2) + 10;
  const height = bars.length * rowHeight + 4;
  const span = WIDTH - LABEL_WIDTH - 90;
  const rows = bars.map((bar, row) => {
    const rowTop = row * rowHeight + 4;
    const rects = bar.values.map((one, index) => {
      const barTop = rowTop + index * (BAR_HEIGHT + 2);
      const length = one.value === null ? 0 : Math.max(1, round((one.value / top) * span));
      return html`<rect
          class="bar ${colour(index)}"
          x="${LABEL_WIDTH}"
          y="${barTop}"
          width="${length}"
          height="${BAR_HEIGHT}"
          ><title>${bar.label} ${one.name}: ${one.value === null ? '–' : format(one.value)}</title></rect
        >
        <text class="value" x="${LABEL_WIDTH + length + 4}" y="${barTop + BAR_HEIGHT - 2}"
          >${one.value === null ? '–' : format(one.value)}</text
        >`;
    });
    return html`<text class="label" x="${LABEL_WIDTH - 8}" y="${rowTop + BAR_HEIGHT - 2}" text-anchor="end"
        ><title>${bar.label}</title>${clip(bar.label, LABEL_CHARS)}</text
      >${rects}`;
  });
  const names = bars[0]?.values.map((one) => one.name) ?? [];
  return html`<figure class="chart">
    <svg class="chart-svg" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-labelledby="${id}-title">
      <title id="${id}-title">${title}</title>
      ${rows}
    </svg>
    ${names.length > 1 ? legend(names) : ''}
  </figure>`;
}

/** Counts per bucket as small columns, each titled with its bucket's bounds. */
export function distributionChart(
  title: string,
  bounds: readonly number[],
  counts: readonly number[],
): SafeHtml {
  const top = Math.max(0, ...counts);
  if (top === 0) return html`<span class="muted">–</span>`;
  const width = 6 * counts.length;
  const columns = counts.map((count, index) => {
    const height = count === 0 ? 0 : Math.max(1, round((count / top) * 24));
    const range = `${index === 0 ? 0 : bounds[index - 1]}–${bounds[index] ?? '+Inf'}`;
    return html`<rect class="bar c0" x="${index * 6}" y="${24 - height}" width="5" height="${height}"
      ><title>${range}: ${count}</title></rect
    >`;
  });
  return html`<svg
    class="mini"
    viewBox="0 0 ${width} 24"
    width="${width * 2}"
    height="28"
    role="img"
    aria-label="${title}"
  >
    ${columns}
  </svg>`;
}

/** One cell per snapshot, oldest first: red while open, green while closed. */
export function stateStrip(title: string, open: readonly boolean[]): SafeHtml {
  const cells = open.map(
    (isOpen, index) =>
      html`<rect class="${isOpen ? 'open' : 'closed'}" x="${index * 4}" y="0" width="3" height="14" />`,
  );
  return html`<svg
    class="mini"
    viewBox="0 0 ${Math.max(4, open.length * 4)} 14"
    width="${Math.max(4, open.length * 4)}"
    height="14"
    role="img"
    aria-label="${title}"
  >
    ${cells}
  </svg>`;
}

function legend(names: readonly string[]): SafeHtml {
  return html`<figcaption class="legend">
    ${names.map((name, index) => html`<span class="key"><span class="swatch ${colour(index)}"></span>${name}</span>`)}
  </figcaption>`;
}

function clip(text: string, chars: number): string {
  return text.length > chars ? `${text.slice(0, chars - 1)}…` : text;
}

function empty(title: string): SafeHtml {
  return html`<p class="empty">${title}: nothing in this window yet.</p>`;
}
