// Classes: private fields and methods, static members and blocks, accessors, inheritance,
// super calls, Symbol.toPrimitive / toStringTag, and custom errors.
class InsufficientFunds extends Error {
  constructor(account, amount) { super(`insufficient funds in ${account.id}: need ${amount}, have ${account.balance}`); this.name = 'InsufficientFunds'; this.amount = amount; }
}
class Account {
  static #next = 100;
  static registry = new Map();
  static { Account.bank = 'Example Bank'; }
  #balance = 0;
  #log = [];
  constructor(owner) { this.id = `AC${Account.#next++}`; this.owner = owner; Account.registry.set(this.id, this); }
  get balance() { return this.#balance; }
  set balance(v) { throw new Error('read-only'); }
  #record(kind, amount) { this.#log.push(`${kind}:${amount}`); }
  deposit(amount) { if (amount <= 0) throw new RangeError('amount must be positive'); this.#balance += amount; this.#record('dep', amount); return this; }
  withdraw(amount) { if (amount > this.#balance) throw new InsufficientFunds(this, amount); this.#balance -= amount; this.#record('wd', amount); return this; }
  history() { return [...this.#log]; }
  static isAccount(o) { return #balance in o; }
  [Symbol.toPrimitive](hint) { return hint === 'number' ? this.#balance : `${this.id}(${this.owner})`; }
  get [Symbol.toStringTag]() { return 'Account'; }
  toJSON() { return { id: this.id, owner: this.owner, balance: this.#balance }; }
}
class Savings extends Account {
  constructor(owner, rate) { super(owner); this.rate = rate; }
  addInterest() { return this.deposit(Math.round(this.balance * this.rate * 100) / 100); }
  withdraw(amount) { if (amount > 500) throw new RangeError('savings withdrawal limit'); return super.withdraw(amount); }
}
const a = new Account('ann').deposit(100).withdraw(30);
const s = new Savings('sam', 0.05).deposit(1000).addInterest();
console.log(`${a}`, +a, `${s}`, +s, a.history(), s.history());
console.log(Object.prototype.toString.call(a), JSON.stringify([a, s]), Account.bank, [...Account.registry.keys()]);
for (const op of [() => a.withdraw(1000), () => s.withdraw(600), () => a.deposit(-1), () => { a.balance = 5; }]) {
  try { op(); } catch (e) { console.log(e.name, e.message, e instanceof InsufficientFunds, e instanceof Error); }
}
console.log(Account.isAccount(s), Account.isAccount({}), s instanceof Account, Object.getPrototypeOf(Savings) === Account, Savings.name, Savings.length);
console.log(Object.getOwnPropertyNames(Account.prototype), Object.keys(s), require('util').inspect(s));
class Shape { area() { throw new Error('abstract'); } describe() { return `${this.constructor.name} with area ${this.area().toFixed(2)}`; } }
class Circle extends Shape { constructor(r) { super(); this.r = r; } area() { return Math.PI * this.r ** 2; } }
class Rect extends Shape { constructor(w, h) { super(); Object.assign(this, { w, h }); } area() { return this.w * this.h; } }
class Square extends Rect { constructor(x) { super(x, x); } }
console.log([new Circle(1), new Rect(2, 3.5), new Square(4)].map((x) => x.describe()));
const Mixin = (Base) => class extends Base { greet() { return `hi from ${this.constructor.name}`; } };
class Greeter extends Mixin(Object) {}
console.log(new Greeter().greet(), typeof class {}, (class Named {}).name);
try { Shape(); } catch (e) { console.log(e.name, e.message); }
