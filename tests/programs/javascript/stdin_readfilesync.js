// fs.readFileSync(0): all of stdin at once, parsed as JSON, summarized.
const fs = require('fs');
const input = fs.readFileSync(0, 'utf8');
const orders = JSON.parse(input);
const byCustomer = {};
for (const o of orders) {
  const c = (byCustomer[o.customer] ??= { orders: 0, total: 0, items: new Set() });
  c.orders++;
  for (const it of o.items) { c.total += it.qty * it.price; c.items.add(it.sku); }
}
for (const [name, c] of Object.entries(byCustomer).sort()) {
  console.log(`${name.padEnd(8)} ${String(c.orders).padStart(2)} ${c.total.toFixed(2).padStart(9)} ${[...c.items].sort().join(',')}`);
}
console.log('bytes', Buffer.byteLength(input), 'again', fs.readFileSync(0).length);
