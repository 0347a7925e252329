// String methods on fixed text: padding, trimming, slicing, searching, templates, raw strings,
// case conversion, wrapping, and a tiny template engine.
const s = '  The Quick Brown Fox Jumps Over The Lazy Dog  ';
console.log(JSON.stringify([s.trim(), s.trimStart(), s.trimEnd(), s.length]));
console.log(s.trim().split(' ').map((w) => w.toLowerCase()).join('-'), s.includes('Fox'), s.startsWith('The', 2), s.endsWith('  '), s.indexOf('The', 5), s.search(/o/));
console.log('7'.padStart(3, '0'), 'abc'.padEnd(8, '12'), 'x'.repeat(0), 'ab'.repeat(3), 'abc'.at(-1), 'abc'.charAt(5), 'abcdef'.slice(-3, -1), 'abcdef'.substring(4, 1));
console.log('a,b,,c'.split(','), 'abc'.split(''), 'a1b2c3'.split(/\d/), ''.split(','), 'one two'.split(' ', 1), 'x'.concat(1, null, [2, 3]));
const tag = (strings, ...vals) => strings.raw.map((str, i) => str + (i < vals.length ? `[${vals[i]}]` : '')).join('');
console.log(tag`a${1}b${'two'}c\n`, String.raw`C:\new\table${1 + 1}`, `multi
line`.split('\n').length);
const wrap = (text, width) => text.split(' ').reduce((lines, w) => { const last = lines[lines.length - 1]; if (last && (last + ' ' + w).length <= width) lines[lines.length - 1] = last + ' ' + w; else lines.push(w); return lines; }, []);
const lorem = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua.';
console.log(wrap(lorem, 30).map((l) => `|${l.padEnd(30)}|`).join('\n'));
const render = (tpl, ctx) => tpl.replace(/\{\{\s*([\w.]+)\s*(?:\|\s*(\w+))?\s*\}\}/g, (_, key, filter) => { let v = key.split('.').reduce((o, k) => o?.[k], ctx); if (filter === 'upper') v = String(v).toUpperCase(); if (filter === 'money') v = Number(v).toFixed(2); return v ?? ''; });
console.log(render('Dear {{ user.name | upper }}, your total is ${{total|money}} for {{ items }} items.{{missing}}', { user: { name: 'ada' }, total: 12.5, items: 3 }));
const slug = (t) => t.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
console.log(['Héllo Wörld!', '  Ça va? Très bien.  ', 'Crème Brûlée & Co.'].map(slug));
const title = (t) => t.replace(/\b\w/g, (c) => c.toUpperCase());
const camel = (t) => t.replace(/[-_\s]+(.)?/g, (_, c) => (c ? c.toUpperCase() : ''));
console.log(title('the lord of the rings'), camel('background-color_value here'), 'ABC'.localeCompare('abc'), 'a'.codePointAt(), 'ÿ'.charCodeAt(0));
console.log('%', encodeURIComponent('a b&c/d?é'), encodeURI('http://x/a b?q=é'), escape ? escape('ä b') : '', decodeURIComponent('%E2%9C%93'));
console.log([...'hello'].map((c) => c.charCodeAt(0).toString(2).padStart(8, '0')).join(' '));
console.log('isWellFormed' in String.prototype ? 'ab\ud800'.isWellFormed() : 'n/a', 'abc'.localeCompare('abd'), ['b', 'a', 'C'].sort((x, y) => x.localeCompare(y, 'en')));
