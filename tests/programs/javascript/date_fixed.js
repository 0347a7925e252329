// Date arithmetic on fixed timestamps, all in UTC: parsing, fields, formatting, month ends.
const stamps = [0, 951782400000, 1700000000000, -62198755200000, 8.64e15, 1709251199999];
for (const t of stamps) {
  const d = new Date(t);
  console.log(t, d.toISOString(), d.toUTCString(), d.getUTCDay(), d.toJSON());
}
console.log(new Date(8.64e15 + 1).getTime(), String(new Date(NaN)), new Date('garbage').toString());
for (const s of ['2024-02-29', '2024-02-29T23:59:59Z', '2024-02-29T23:59:59.5+05:30', '2000-01-01T00:00:00.000-08:00',
  'Tue, 01 Oct 2024 10:00:00 GMT', '2024-13-01', '+275760-09-13T00:00:00.000Z', '1970-01-01T00:00:00.000001Z']) {
  console.log(JSON.stringify(s), Date.parse(s));
}
console.log(Date.UTC(2024), Date.UTC(2024, 1, 30), Date.UTC(99, 0), Date.UTC(-1, 11, 31, 23, 59, 59, 999));
function addMonths(t, n) { const d = new Date(t); const day = d.getUTCDate(); d.setUTCDate(1); d.setUTCMonth(d.getUTCMonth() + n); const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate(); d.setUTCDate(Math.min(day, last)); return d; }
let t = Date.UTC(2023, 0, 31);
const ends = [];
for (let i = 0; i < 14; i++) ends.push(addMonths(t, i).toISOString().slice(0, 10));
console.log(ends.join(' '));
const start = Date.UTC(2024, 0, 1), end = Date.UTC(2025, 0, 1);
const days = (end - start) / 864e5;
const weekdays = Array.from({ length: days }, (_, i) => new Date(start + i * 864e5).getUTCDay()).filter((w) => w > 0 && w < 6).length;
console.log('days in 2024', days, 'weekdays', weekdays);
const d = new Date(Date.UTC(2024, 5, 15, 8, 30));
d.setUTCHours(d.getUTCHours() + 100);
console.log(d.toISOString(), d.valueOf(), +d === d.getTime(), d - new Date(Date.UTC(2024, 5, 15)));
const iso = (y, m, day) => { const dt = new Date(Date.UTC(y, m - 1, day)); const dayNum = dt.getUTCDay() || 7; dt.setUTCDate(dt.getUTCDate() + 4 - dayNum); const y0 = new Date(Date.UTC(dt.getUTCFullYear(), 0, 1)); return [dt.getUTCFullYear(), Math.ceil(((dt - y0) / 864e5 + 1) / 7)]; };
console.log([[2021, 1, 3], [2020, 12, 31], [2024, 12, 30], [2026, 6, 15]].map((a) => iso(...a).join('-W')));
console.log(new Date(2024, 0, 1, 0, 0, 0).getTime() - Date.UTC(2024, 0, 1) === new Date(2024, 0, 1).getTimezoneOffset() * 60000);
console.log(typeof Date.now(), Date.now() > 1.6e12);
