// Regular expressions: named groups, lookbehind, sticky and unicode flags, matchAll, replace
// callbacks, split, and a small log parser.
const log = `2024-03-01T10:00:01Z INFO  [auth] user=alice action=login ip=10.0.0.5 took=12ms
2024-03-01T10:00:07Z WARN  [db] slow query table=orders took=1534ms
2024-03-01T10:01:00Z ERROR [auth] user=bob action=login ip=10.0.0.9 reason="bad password"
2024-03-01T10:02:13Z INFO  [api] GET /v1/items?id=7 status=200 took=45ms
2024-03-01T10:02:14Z INFO  [api] POST /v1/items status=201 took=88ms
garbage line
2024-03-01T10:03:00Z ERROR [api] GET /v1/items/999 status=404 took=3ms`;
const re = /^(?<ts>\d{4}-\d\d-\d\dT[\d:]+Z) (?<level>[A-Z]+)\s+\[(?<mod>\w+)\] (?<msg>.*)$/gm;
const byLevel = {};
for (const m of log.matchAll(re)) {
  const { level, mod, msg } = m.groups;
  (byLevel[level] ??= []).push(mod);
  const kv = Object.fromEntries([...msg.matchAll(/(\w+)=("[^"]*"|\S+)/g)].map(([, k, v]) => [k, v.replace(/^"|"$/g, '')]));
  console.log(m.index, level.padEnd(5), mod.padEnd(4), JSON.stringify(kv));
}
console.log(byLevel);
const took = [...log.matchAll(/(?<=took=)\d+(?=ms)/g)].map(Number);
console.log('took', took, 'total', took.reduce((a, b) => a + b));
console.log('2024-03-01'.replace(/(\d+)-(\d+)-(\d+)/, '$3/$2/$1'), 'a-b_c d'.split(/[-_ ]/), 'one  two   three'.split(/\s+/, 2));
console.log('camelCaseStringHere'.replace(/[A-Z]/g, (c, i) => (i ? '_' : '') + c.toLowerCase()), 'x'.replace(/x/, '$&$&$$'));
const sticky = /\d+/y;
sticky.lastIndex = 3;
console.log(sticky.exec('abc123def')?.[0], sticky.lastIndex, sticky.exec('abc123def'));
console.log('Ünïcödé 😀 text'.match(/\p{L}+/gu), /^.$/u.test('😀'), /^.$/.test('😀'), '😀'.length, [...'😀'].length);
console.log(/\p{Script=Greek}+/u.exec('abc αβγ def')[0], 'ǅ'.match(/\p{Lt}/u) !== null, /[\p{Emoji}--\p{ASCII}]/v.test('😀'));
console.log(/(a)|(b)/.exec('b'), 'aBc'.replace(/b/i, '[$&]'), /a.c/s.test('a\nc'), /a.c/.test('a\nc'));
const d = /(?<year>\d{4})-(?<month>\d{2})/d.exec('on 2024-03 ok');
console.log(d.indices, d.indices.groups);
console.log('aaa'.lastIndexOf('a'), 'abcabc'.replaceAll('b', 'B'), 'x.y.z'.replaceAll('.', '/'), RegExp.prototype.flags !== undefined);
const email = /^[\w.+-]+@(?:[a-z\d-]+\.)+[a-z]{2,}$/i;
console.log(['a@b.co', 'first.last+tag@sub.example.org', 'bad@', '@bad.com', 'no spaces@x.com'].map((e) => email.test(e)));
console.log(String(/[/]\//g), new RegExp('a+b', 'gi').source);
try { RegExp('['); } catch (e) { console.log(e.name, e.message); }
