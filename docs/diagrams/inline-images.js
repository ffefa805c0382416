// Makes a Graphviz SVG self-contained: every <image> that points at a local icon file gets the
// file's content as a base64 data URI, so the SVG shows its icons anywhere and carries no local paths.
'use strict';
const fs = require('fs');
const path = require('path');

const [input, output, iconDir] = process.argv.slice(2);
if (!input || !output || !iconDir) {
  console.error('usage: node inline-images.js <in.svg> <out.svg> <icon-dir>');
  process.exit(2);
}
const svg = fs.readFileSync(input, 'utf8');
const inlined = svg.replace(/xlink:href="([^"]+\.svg)"/g, (match, href) => {
  const file = path.isAbsolute(href) ? href : path.join(iconDir, href);
  if (!fs.existsSync(file)) {
    throw new Error(`icon '${href}' referenced by ${input} not found under ${iconDir}`);
  }
  const data = fs.readFileSync(file).toString('base64');
  return `xlink:href="data:image/svg+xml;base64,${data}"`;
});
fs.writeFileSync(output, inlined);
