// Classic algorithms on fixed data: Dijkstra with a binary heap, topological sort, union-find,
// BFS grid path, LCS and edit distance, knapsack, N-queens count.
class Heap {
  constructor(cmp) { this.a = []; this.cmp = cmp; }
  push(x) { const a = this.a; a.push(x); let i = a.length - 1; while (i > 0) { const p = (i - 1) >> 1; if (this.cmp(a[i], a[p]) >= 0) break; [a[i], a[p]] = [a[p], a[i]]; i = p; } }
  pop() { const a = this.a; const top = a[0]; const last = a.pop(); if (a.length) { a[0] = last; let i = 0; for (;;) { const l = 2 * i + 1, r = l + 1; let m = i; if (l < a.length && this.cmp(a[l], a[m]) < 0) m = l; if (r < a.length && this.cmp(a[r], a[m]) < 0) m = r; if (m === i) break; [a[i], a[m]] = [a[m], a[i]]; i = m; } } return top; }
  get size() { return this.a.length; }
}
const edges = [['A', 'B', 4], ['A', 'C', 2], ['B', 'C', 5], ['B', 'D', 10], ['C', 'E', 3], ['E', 'D', 4], ['D', 'F', 11], ['E', 'F', 20], ['C', 'F', 30]];
const adj = {};
for (const [u, v, w] of edges) { (adj[u] ??= []).push([v, w]); (adj[v] ??= []).push([u, w]); }
const dist = { A: 0 }, prev = {};
const pq = new Heap((x, y) => x[0] - y[0] || (x[1] < y[1] ? -1 : 1));
pq.push([0, 'A']);
while (pq.size) { const [d, u] = pq.pop(); if (d > dist[u]) continue; for (const [v, w] of adj[u]) if (d + w < (dist[v] ?? Infinity)) { dist[v] = d + w; prev[v] = u; pq.push([d + w, v]); } }
const pathTo = (t) => (t === 'A' ? ['A'] : [...pathTo(prev[t]), t]);
console.log('dijkstra', dist, pathTo('F').join('->'));
const deps = { app: ['lib', 'utils'], lib: ['core'], utils: ['core', 'fmt'], core: [], fmt: [], tests: ['app'] };
const order = [], state = {};
const visit = (n) => { if (state[n] === 2) return; if (state[n] === 1) throw new Error('cycle'); state[n] = 1; for (const d of deps[n].slice().sort()) visit(d); state[n] = 2; order.push(n); };
Object.keys(deps).sort().forEach(visit);
console.log('topo', order.join(' '));
const parent = Array.from({ length: 10 }, (_, i) => i);
const find = (x) => (parent[x] === x ? x : (parent[x] = find(parent[x])));
for (const [a, b] of [[0, 1], [2, 3], [1, 3], [5, 6], [7, 8], [8, 9], [9, 7]]) parent[find(a)] = find(b);
const comps = {};
for (let i = 0; i < 10; i++) (comps[find(i)] ??= []).push(i);
console.log('components', Object.values(comps).map((c) => c.join('')).sort());
const grid = ['S.#.......', '.##.####..', '....#..#..', '###.#.##.#', '....#....E'];
const H = grid.length, W = grid[0].length;
const q = [[0, 0, 0]], seen = new Set(['0,0']);
let steps = -1;
while (q.length) { const [r, c, d] = q.shift(); if (grid[r][c] === 'E') { steps = d; break; } for (const [dr, dc] of [[1, 0], [-1, 0], [0, 1], [0, -1]]) { const nr = r + dr, nc = c + dc; if (nr >= 0 && nr < H && nc >= 0 && nc < W && grid[nr][nc] !== '#' && !seen.has(`${nr},${nc}`)) { seen.add(`${nr},${nc}`); q.push([nr, nc, d + 1]); } } }
console.log('bfs steps', steps, 'visited', seen.size);
const lcs = (a, b) => { const dp = Array.from({ length: a.length + 1 }, () => new Array(b.length + 1).fill(0)); for (let i = 1; i <= a.length; i++) for (let j = 1; j <= b.length; j++) dp[i][j] = a[i - 1] === b[j - 1] ? dp[i - 1][j - 1] + 1 : Math.max(dp[i - 1][j], dp[i][j - 1]); let i = a.length, j = b.length, s = ''; while (i && j) { if (a[i - 1] === b[j - 1]) { s = a[i - 1] + s; i--; j--; } else if (dp[i - 1][j] >= dp[i][j - 1]) i--; else j--; } return s; };
const lev = (a, b) => { let prevRow = Array.from({ length: b.length + 1 }, (_, i) => i); for (let i = 1; i <= a.length; i++) { const row = [i]; for (let j = 1; j <= b.length; j++) row[j] = Math.min(prevRow[j] + 1, row[j - 1] + 1, prevRow[j - 1] + (a[i - 1] !== b[j - 1])); prevRow = row; } return prevRow[b.length]; };
console.log('lcs', lcs('AGGTABQWERTY', 'GXTXAYBWRT'), 'levenshtein', lev('kitten', 'sitting'), lev('sandboxd', 'sandbox'), lev('', 'abc'));
const items = [[12, 4], [2, 2], [1, 1], [1, 2], [4, 10], [7, 8], [3, 3]];
const cap = 15, best = new Array(cap + 1).fill(0);
for (const [w, v] of items) for (let c = cap; c >= w; c--) best[c] = Math.max(best[c], best[c - w] + v);
console.log('knapsack', best[cap], best.join(','));
const queens = (n) => { let count = 0; const go = (r, cols, d1, d2) => { if (r === n) { count++; return; } for (let c = 0; c < n; c++) { if (cols & (1 << c) || d1 & (1 << (r + c)) || d2 & (1 << (r - c + n))) continue; go(r + 1, cols | (1 << c), d1 | (1 << (r + c)), d2 | (1 << (r - c + n))); } }; go(0, 0, 0, 0); return count; };
console.log('queens', [4, 5, 6, 7, 8, 9].map(queens));
