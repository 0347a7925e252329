// Proxy and Reflect: validation, default values, observable access logs, revocable proxies,
// and Reflect's versions of the object operations.
const log = [];
const validator = new Proxy({}, {
  set(t, k, v) { if (k === 'age' && (!Number.isInteger(v) || v < 0)) throw new TypeError(`invalid age ${v}`); log.push(`set ${String(k)}`); return Reflect.set(t, k, v); },
  get(t, k, r) { log.push(`get ${String(k)}`); return k in t ? Reflect.get(t, k, r) : `<no ${String(k)}>`; },
  has(t, k) { log.push(`has ${String(k)}`); return !String(k).startsWith('_') && k in t; },
  deleteProperty(t, k) { log.push(`delete ${String(k)}`); return Reflect.deleteProperty(t, k); },
  ownKeys(t) { log.push('ownKeys'); return Reflect.ownKeys(t).filter((k) => !String(k).startsWith('_')); },
});
validator.name = 'Ada';
validator.age = 36;
validator._secret = 'x';
try { validator.age = -1; } catch (e) { console.log(e.name, e.message); }
console.log(validator.name, validator.missing, 'age' in validator, '_secret' in validator, Object.keys(validator), delete validator.name);
console.log(log.join(', '));
const negIdx = (arr) => new Proxy(arr, { get: (t, k, r) => (typeof k === 'string' && /^-\d+$/.test(k) ? t[t.length + Number(k)] : Reflect.get(t, k, r)) });
const arr = negIdx([10, 20, 30]);
console.log(arr[-1], arr[0], arr.length, arr.map((x) => x / 10), Array.isArray(arr));
const { proxy, revoke } = Proxy.revocable({ v: 1 }, {});
console.log(proxy.v);
revoke();
try { proxy.v; } catch (e) { console.log('revoked', e.name, e.message); }
const traced = new Proxy(function add(a, b) { return a + b; }, { apply(t, self, args) { return `add(${args}) = ${Reflect.apply(t, self, args)}`; }, construct(t, args) { return { constructed: args }; } });
console.log(traced(2, 3), new traced(1), typeof traced);
const obj = {};
console.log(Reflect.defineProperty(obj, 'fixed', { value: 1, writable: false }), Reflect.set(obj, 'fixed', 2), obj.fixed, Reflect.ownKeys({ b: 1, a: 2, 1: 0, [Symbol('s')]: 3 }));
console.log(Reflect.has({ x: 1 }, 'x'), Reflect.getPrototypeOf([]) === Array.prototype, Reflect.construct(Date, [0]).toISOString(), Reflect.isExtensible(Object.freeze({})));
const frozen = Object.freeze({ a: { b: 1 } });
frozen.a.b = 2;
console.log(Object.isFrozen(frozen), frozen.a.b, Object.isSealed(Object.seal({})), Object.getOwnPropertyDescriptors({ get g() { return 1; }, v: 2 }));
