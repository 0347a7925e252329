// WebAssembly from hand-written bytes: exported functions, an imported JS function, memory
// shared with JS, a trap, validation, and the async API.
// A module assembled by hand: each section is its id, its byte length and its contents.
const leb = (n) => { const out = []; do { let b = n & 0x7f; n >>>= 7; if (n) b |= 0x80; out.push(b); } while (n); return out; };
const str = (s) => [...leb(s.length), ...Buffer.from(s)];
const vec = (items) => [...leb(items.length), ...items.flat()];
const section = (id, contents) => [id, ...leb(contents.length), ...contents];
const I32 = 0x7f;
const body = (locals, code) => { const b = [...vec(locals), ...code, 0x0b]; return [...leb(b.length), ...b]; };
const bytes = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  // types: 0: (i32,i32)->i32, 1: (i32)->(), 2: (i32)->i32
  ...section(1, vec([[0x60, 2, I32, I32, 1, I32], [0x60, 1, I32, 0], [0x60, 1, I32, 1, I32]])),
  ...section(2, vec([[...str('env'), ...str('log'), 0x00, 1]])), // import env.log: type 1 (func 0)
  ...section(3, vec([[0], [2], [0], [0]])), // funcs 1..4: add, fact, sum, div
  ...section(5, vec([[0x00, 1]])), // one memory of 1 page
  ...section(7, vec([[...str('add'), 0, 1], [...str('fact'), 0, 2], [...str('sum'), 0, 3], [...str('div'), 0, 4], [...str('mem'), 2, 0]])),
  ...section(10, vec([
    // add(a, b): log(a); a + b
    body([], [0x20, 0, 0x10, 0, 0x20, 0, 0x20, 1, 0x6a]),
    // fact(n): n < 2 ? 1 : n * fact(n - 1)
    body([], [0x20, 0, 0x41, 2, 0x48, 0x04, I32, 0x41, 1, 0x05, 0x20, 0, 0x20, 0, 0x41, 1, 0x6b, 0x10, 2, 0x6c, 0x0b]),
    // sum(ptr, n): the sum of n i32s in memory from ptr
    body([[1, I32]], [
      0x02, 0x40, 0x03, 0x40, // block, loop
      0x20, 1, 0x45, 0x0d, 1, // br_if out when n == 0
      0x20, 2, 0x20, 0, 0x28, 2, 0, 0x6a, 0x21, 2, // acc += i32.load(ptr)
      0x20, 0, 0x41, 4, 0x6a, 0x21, 0, // ptr += 4
      0x20, 1, 0x41, 1, 0x6b, 0x21, 1, // n -= 1
      0x0c, 0, 0x0b, 0x0b, // br loop; end; end
      0x20, 2]),
    // div(a, b): signed a / b, traps when b == 0
    body([], [0x20, 0, 0x20, 1, 0x6d]),
  ])),
]);
console.log('valid', WebAssembly.validate(bytes), WebAssembly.validate(new Uint8Array([0, 0x61, 0x73, 0x6d, 2, 0, 0, 0])));
const logged = [];
const mod = new WebAssembly.Module(bytes);
console.log('imports', WebAssembly.Module.imports(mod), 'exports', WebAssembly.Module.exports(mod));
const inst = new WebAssembly.Instance(mod, { env: { log: (x) => logged.push(x) } });
const { add, fact, sum, div, mem } = inst.exports;
console.log('add', add(2, 40), add(0x7fffffff, 1), add(-5, 3), 'logged', logged);
console.log('fact', [0, 1, 5, 10, 12, 13].map(fact));
const view = new Int32Array(mem.buffer);
for (let i = 0; i < 100; i++) view[i] = i * i;
console.log('sum', sum(0, 100), sum(40, 10), mem.buffer.byteLength);
mem.grow(1);
console.log('grown', mem.buffer.byteLength, view.length, new Int32Array(mem.buffer).length);
console.log('div', div(7, 2), div(-7, 2));
try { div(1, 0); } catch (e) { console.log('trap', e instanceof WebAssembly.RuntimeError, e.message); }
try { new WebAssembly.Module(new Uint8Array([1, 2, 3])); } catch (e) { console.log('compile error', e.name); }
try { new WebAssembly.Instance(mod, {}); } catch (e) { console.log('link error', e.name); }
WebAssembly.instantiate(bytes, { env: { log() {} } }).then(({ module, instance }) => {
  console.log('async', module instanceof WebAssembly.Module, instance.exports.fact(6));
  const table = new WebAssembly.Table({ initial: 2, element: 'anyfunc' });
  const g = new WebAssembly.Global({ value: 'i64', mutable: true }, 42n);
  g.value += 1n;
  console.log('table', table.length, 'global', g.value, new WebAssembly.Memory({ initial: 2, maximum: 4 }).buffer.byteLength);
});
