// Draws a captured terminal screen (docs/diagrams/<name>.term: the text of the screen, as
// docs/capture-local.sh took it from a real run) as a terminal window in SVG: monospace text on a dark
// background, one <text> per line, nothing fetched. docs/render.sh then turns it into a PNG.
'use strict';
const fs = require('fs');

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error('usage: node terminal-to-svg.js <screen.term> <out.svg>');
  process.exit(2);
}
const lines = fs.readFileSync(input, 'utf8').replace(/\s+$/, '').split('\n');
const fontSize = 14;
const charWidth = fontSize * 0.6; // Liberation Mono / Courier metrics
const lineHeight = Math.round(fontSize * 1.35);
const pad = 16;
const bar = 30;
const columns = Math.max(80, ...lines.map((l) => [...l].length));
const width = Math.ceil(columns * charWidth + 2 * pad);
const height = bar + pad + lines.length * lineHeight + pad;
const escape = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const out = [];
out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`);
out.push(`<rect width="${width}" height="${height}" rx="8" fill="#1E1E1E"/>`);
out.push(`<rect width="${width}" height="${bar}" rx="8" fill="#3A3A3A"/>`);
out.push(`<rect y="${bar - 8}" width="${width}" height="8" fill="#3A3A3A"/>`);
['#FF5F56', '#FFBD2E', '#27C93F'].forEach((c, i) => {
  out.push(`<circle cx="${18 + i * 20}" cy="${bar / 2}" r="6" fill="${c}"/>`);
});
out.push(`<g font-family="Liberation Mono, DejaVu Sans Mono, Courier New, monospace" font-size="${fontSize}" fill="#E6E6E6" xml:space="preserve">`);
lines.forEach((line, i) => {
  const y = bar + pad + (i + 1) * lineHeight - 4;
  const colour = line.startsWith('$ ') ? ' fill="#8FD16A"' : '';
  out.push(`<text x="${pad}" y="${y}"${colour}>${escape(line)}</text>`);
});
out.push('</g>');
out.push('</svg>');
fs.writeFileSync(output, out.join('\n') + '\n');
