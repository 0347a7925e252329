// Map and Set bookkeeping for a small inventory: insertion order, grouping, set algebra.
const stock = new Map();
const moves = [['apple', 30], ['pear', 12], ['apple', -5], ['kiwi', 40], ['pear', -12], ['fig', 7], ['kiwi', -1], ['plum', 0], ['apple', 2]];
for (const [item, delta] of moves) stock.set(item, (stock.get(item) ?? 0) + delta);
console.log(stock, stock.size, [...stock.keys()]);
for (const [item, n] of stock) if (n === 0) stock.delete(item);
console.log('nonzero', Object.fromEntries(stock));
const byFirst = new Map();
for (const w of ['banana', 'blueberry', 'cherry', 'apricot', 'avocado', 'cranberry', 'date']) {
  const k = w[0];
  if (!byFirst.has(k)) byFirst.set(k, []);
  byFirst.get(k).push(w);
}
console.log(byFirst);
const a = new Set([1, 2, 3, 4, 5]), b = new Set([4, 5, 6, 7]);
const union = new Set([...a, ...b]), inter = new Set([...a].filter((x) => b.has(x))), diff = new Set([...a].filter((x) => !b.has(x)));
console.log(union, inter, diff, [...union].every((x) => a.has(x) || b.has(x)));
console.log(a.union ? 'native set methods' : 'no native set methods');
const keyObj = { id: 1 }, keyFn = () => {};
const m = new Map([[keyObj, 'object key'], [keyFn, 'function key'], [NaN, 'nan key'], [0, 'zero']]);
console.log(m.get(keyObj), m.get(keyFn), m.get(NaN), m.get(-0), m.get({ id: 1 }));
const s = new Set(['x', 'y']);
s.add('x').add('z');
s.delete('y');
console.log([...s.entries()], s.has('y'), new Set('mississippi').size, [...new Set('mississippi')].join(''));
const ws = new WeakSet([keyObj]);
const wm = new WeakMap([[keyObj, 42]]);
console.log(ws.has(keyObj), wm.get(keyObj), wm.has({}));
const counts = [...'the rain in spain stays mainly in the plain'.replace(/ /g, '')].reduce((acc, c) => acc.set(c, (acc.get(c) || 0) + 1), new Map());
console.log([...counts].sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0])).slice(0, 5));
const lru = new Map();
function touch(k, v) { if (lru.has(k)) lru.delete(k); lru.set(k, v); if (lru.size > 3) lru.delete(lru.keys().next().value); }
for (const k of ['a', 'b', 'c', 'a', 'd', 'b', 'e']) touch(k, k.toUpperCase());
console.log('lru', [...lru.keys()]);
console.log(Object.groupBy ? 'has groupBy' : 'no groupBy', Map.groupBy ? 'has Map.groupBy' : 'no Map.groupBy');
