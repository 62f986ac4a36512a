// The status page's one style sheet, and its sha256 for the Content-Security-Policy: the page allows exactly this
// sheet and no other style, script or resource.
import { createHash } from 'node:crypto';

const PALETTE = ['#2f6fdf', '#d9822b', '#2e9e5b', '#c23b4a', '#7b5cc4', '#1d9aa8', '#a0662b', '#5f6b7a'];

const paletteRules = PALETTE.map(
  (colour, index) =>
    `.line.c${index}{stroke:${colour}}.dot.c${index},.bar.c${index}{fill:${colour}}.swatch.c${index}{background:${colour}}`,
).join('\n');

export const STATUS_PAGE_STYLE = `
:root{color-scheme:light;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d232b;background:#f6f7f9}
body{margin:0 auto;max-width:1100px;padding:16px 24px 40px}
h1{font-size:1.5rem;margin:8px 0 4px}
h2{font-size:1.15rem;margin:0 0 8px}
h3{font-size:.95rem;margin:12px 0 6px;color:#3a4350}
p.lead,.muted{color:#5f6b7a}
section{background:#fff;border:1px solid #dde1e6;border-radius:8px;padding:14px 18px;margin:14px 0}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(170px,1fr));gap:10px;background:none;border:0;padding:0}
.card{background:#fff;border:1px solid #dde1e6;border-radius:8px;padding:10px 14px}
.card .figure{font-size:1.5rem;font-weight:600}
.card .note{font-size:.8rem;color:#5f6b7a}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:12px}
figure.chart{margin:0}
.chart-svg{width:100%;height:auto;display:block}
.grid{stroke:#e3e6ea;stroke-width:1}
.tick,.label,.value{font-size:11px;fill:#5f6b7a}
.label{fill:#1d232b}
.line{fill:none;stroke-width:2}
.legend{font-size:.8rem;color:#3a4350;display:flex;flex-wrap:wrap;gap:4px 14px;margin-top:4px}
.swatch{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:5px;vertical-align:-1px}
table{border-collapse:collapse;width:100%;font-size:.85rem;margin-top:6px}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eceef1;vertical-align:middle}
th{font-weight:600;color:#3a4350}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.state{font-weight:600;padding:1px 8px;border-radius:10px;font-size:.8rem}
.state.open{background:#fde2e4;color:#a3202e}
.state.closed{background:#dff3e6;color:#1d6b3d}
rect.open{fill:#d64550}
rect.closed{fill:#52b977}
.mini{vertical-align:middle}
.empty{color:#5f6b7a;font-style:italic}
code{font-size:.85em}
${paletteRules}
`;

/** The CSP source that allows the sheet above, and only it. */
export const STATUS_PAGE_STYLE_HASH = `'sha256-${createHash('sha256').update(STATUS_PAGE_STYLE).digest('base64')}'`;
