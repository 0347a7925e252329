// A CSV report from stdin: parse quoted fields, group, aggregate, and print a padded table.
const fs = require('fs');
function parseCSV(text) {
  const rows = [];
  let row = [], field = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field); rows.push(row); row = []; field = '';
    } else field += c;
  }
  if (field || row.length) { row.push(field); rows.push(row); }
  return rows;
}
const [header, ...rows] = parseCSV(fs.readFileSync(0, 'utf8'));
const records = rows.filter((r) => r.length === header.length).map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
console.log('columns', header, 'records', records.length, 'skipped', rows.length - records.length);
const groups = new Map();
for (const r of records) {
  const g = groups.get(r.region) ?? { n: 0, revenue: 0, units: 0, products: new Set() };
  g.n++; g.revenue += Number(r.units) * Number(r.price); g.units += Number(r.units); g.products.add(r.product);
  groups.set(r.region, g);
}
const fmt = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
const table = [['Region', 'Orders', 'Units', 'Revenue', 'Avg/order', 'Products']];
for (const [region, g] of [...groups].sort((a, b) => b[1].revenue - a[1].revenue)) {
  table.push([region, String(g.n), String(g.units), fmt.format(g.revenue), fmt.format(g.revenue / g.n), [...g.products].sort().join('; ')]);
}
const widths = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)));
for (const [i, r] of table.entries()) {
  console.log(r.map((c, j) => (j === 0 || j === 5 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join(' | '));
  if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('-+-'));
}
const notes = records.filter((r) => r.note).map((r) => `${r.id}: ${JSON.stringify(r.note)}`);
console.log(notes.join('\n'));
