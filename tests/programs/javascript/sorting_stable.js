// Sorting: stability, comparators, numeric vs default sort, toSorted, binary search, top-k.
const people = [
  ['Mia', 31, 'NYC'], ['Liam', 25, 'LA'], ['Ava', 31, 'LA'], ['Noah', 25, 'NYC'], ['Emma', 40, 'SF'],
  ['Zoë', 25, 'SF'], ['Ólafur', 31, 'NYC'], ['emma', 40, 'LA'], ['Ava', 22, 'SF'],
].map(([name, age, city], i) => ({ name, age, city, i }));
const show = (arr) => arr.map((p) => `${p.name}/${p.age}/${p.city}#${p.i}`).join(' ');
console.log('by age (stable)', show([...people].sort((a, b) => a.age - b.age)));
console.log('by city then age desc', show([...people].sort((a, b) => a.city.localeCompare(b.city) || b.age - a.age)));
console.log('by name (code units)', show([...people].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))));
console.log('by name (en)', show([...people].sort((a, b) => a.name.localeCompare(b.name, 'en', { sensitivity: 'base' }) || a.i - b.i)));
const nums = [10, 9, 1, 100, 25, -3, 0, 2.5, -0, 1e3, NaN, Infinity];
console.log(nums.toSorted ? nums.toSorted() : [...nums].sort(), [...nums].sort((a, b) => a - b));
console.log(['b', undefined, 'a', , 'c'].sort(), [3, 1, 2].reverse(), [..."hello world"].sort().join(''));
function bisect(arr, x) { let lo = 0, hi = arr.length; while (lo < hi) { const mid = (lo + hi) >> 1; if (arr[mid] < x) lo = mid + 1; else hi = mid; } return lo; }
const sorted = Array.from({ length: 50 }, (_, i) => i * 3);
console.log([0, 1, 3, 74, 147, 148, 200].map((x) => bisect(sorted, x)));
let seed = 12345;
const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const data = Array.from({ length: 10000 }, () => Math.floor(rand() * 1e6));
const top5 = [...data].sort((a, b) => b - a).slice(0, 5);
const checksum = [...data].sort((a, b) => a - b).reduce((acc, x, i) => (acc + x * (i + 1)) % 1000000007, 0);
console.log('top5', top5, 'checksum', checksum, 'median', [...data].sort((a, b) => a - b)[5000]);
function mergeSort(a) { if (a.length < 2) return a; const m = a.length >> 1; const l = mergeSort(a.slice(0, m)), r = mergeSort(a.slice(m)); const out = []; while (l.length && r.length) out.push(l[0] <= r[0] ? l.shift() : r.shift()); return out.concat(l, r); }
console.log('merge sort agrees', JSON.stringify(mergeSort(data.slice(0, 2000))) === JSON.stringify(data.slice(0, 2000).sort((a, b) => a - b)));
const words = 'Banana apple Cherry apple banana Date cherry'.split(' ');
console.log([...new Set(words.map((w) => w.toLowerCase()))].sort(), words.sort((a, b) => a.localeCompare(b, 'en', { caseFirst: 'upper' })));
const objs = { c: 3, a: 1, b: 2, 10: 'ten', 2: 'two' };
console.log(Object.keys(objs), Object.entries(objs).sort(([x], [y]) => x.localeCompare(y)));
