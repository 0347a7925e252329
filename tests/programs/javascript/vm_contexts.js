// The vm module: scripts in fresh contexts, sandboxed globals, timeouts on runaway code,
// and compile errors with line numbers.
const vm = require('vm');

const ctx = vm.createContext({ input: [3, 1, 2], out: null, console: { log: (...a) => console.log('[ctx]', ...a) } });
vm.runInContext('out = input.slice().sort(); var hidden = 1; console.log("inside", typeof require, typeof process);', ctx);
console.log(ctx.out, ctx.hidden, Object.keys(ctx).sort(), vm.isContext(ctx));
const script = new vm.Script('count = (typeof count === "number" ? count : 0) + step; count * 10', { filename: 'counter.vm' });
const c2 = vm.createContext({ step: 5 });
console.log([1, 2, 3].map(() => script.runInContext(c2)), c2.count);
console.log(vm.runInNewContext('Object.getPrototypeOf([]) === Array.prototype', {}), vm.runInNewContext('[]') instanceof Array);
console.log(vm.runInThisContext('typeof globalThis.process'), vm.runInNewContext('this.constructor.name'));
try {
  vm.runInNewContext('while (true) {}', {}, { timeout: 50 });
} catch (e) {
  console.log('timeout', e.code, e.message);
}
try {
  new vm.Script('let x = 1;\nlet y = ;\n', { filename: 'broken.js' });
} catch (e) {
  console.log('syntax', e.name, e.message, e.stack.split('\n')[0]);
}
try {
  vm.runInNewContext('null.prop', {}, { filename: 'runtime.js' });
} catch (e) {
  console.log('runtime', e.name, e.message, e.stack.split('\n')[1].trim(), e instanceof TypeError);
}
const fn = vm.compileFunction('return a + b + (typeof c)', ['a', 'b'], { contextExtensions: [{ c: 1 }] });
console.log('compileFunction', fn(1, 2));
const frozen = vm.createContext(Object.freeze({ k: 1 }));
console.log(vm.runInContext('"use strict"; try { k = 2 } catch (e) { e.name }', frozen), frozen.k);
