// Web platform objects without a network: ReadableStream/TransformStream/WritableStream, Blob,
// File, Response/Request/Headers/FormData bodies, and stream conversions.
const { Readable } = require('stream');

async function main() {
  let i = 0;
  const rs = new ReadableStream({
    pull(controller) { i < 5 ? controller.enqueue(`part${i++} `) : controller.close(); },
  }, { highWaterMark: 1 });
  const upper = new TransformStream({ transform(chunk, c) { c.enqueue(chunk.toUpperCase()); } });
  const got = [];
  await rs.pipeThrough(upper).pipeTo(new WritableStream({ write(chunk) { got.push(chunk); } }));
  console.log('web stream', got.join(''));
  const [a, b] = new ReadableStream({ start(c) { c.enqueue(1); c.enqueue(2); c.close(); } }).tee();
  const read = async (s) => { const out = []; for await (const x of s) out.push(x); return out; };
  console.log('tee', await read(a), await read(b));
  const blob = new Blob(['hello ', new Uint8Array([0xe2, 0x9c, 0x93]), ' world'], { type: 'text/plain' });
  console.log('blob', blob.size, blob.type, await blob.text(), await blob.slice(6, 9).text(), new Uint8Array(await blob.slice(0, 2).arrayBuffer()));
  const file = new File(['file body'], 'notes.txt', { type: 'text/plain', lastModified: 1700000000000 });
  console.log('file', file.name, file.size, file.lastModified, file instanceof Blob);
  const res = new Response(JSON.stringify({ ok: true, n: [1, 2] }), { status: 201, statusText: 'Created', headers: { 'Content-Type': 'application/json', 'X-Custom': 'a' } });
  console.log('response', res.status, res.ok, res.statusText, res.headers.get('content-type'), await res.json(), res.bodyUsed);
  const h = new Headers([['Accept', 'text/html'], ['accept', 'application/json'], ['Set-Cookie', 'a=1'], ['Set-Cookie', 'b=2']]);
  console.log('headers', [...h], h.getSetCookie ? h.getSetCookie() : 'n/a', h.has('ACCEPT'));
  const req = new Request('https://example.invalid/api?x=1', { method: 'POST', body: 'payload', headers: { 'content-type': 'text/plain' } });
  console.log('request', req.method, req.url, await req.text(), req.headers.get('content-type'));
  const fd = new FormData();
  fd.append('field', 'value');
  fd.append('upload', new Blob(['abc']), 'a.txt');
  console.log('formdata', [...fd.keys()], fd.get('field'), fd.get('upload').name, fd.get('upload').size);
  const form = await new Response(new URLSearchParams({ q: 'search term', page: '2' })).text();
  console.log('urlencoded body', form);
  const nodeToWeb = Readable.toWeb(Readable.from(['x', 'y', 'z']));
  console.log('toWeb', await read(nodeToWeb));
  const webToNode = Readable.fromWeb(new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode('from web')); c.close(); } }));
  const chunks = [];
  for await (const c of webToNode) chunks.push(Buffer.from(c).toString());
  console.log('fromWeb', chunks);
  const errored = new ReadableStream({ start(c) { c.error(new TypeError('stream failed')); } });
  try { await read(errored); } catch (e) { console.log('errored stream', e.name, e.message); }
  console.log('Response.json', await Response.json({ static: 1 }).text(), Response.error().type);
  const bs = new ByteLengthQueuingStrategy({ highWaterMark: 16 });
  console.log('strategy', bs.highWaterMark, bs.size(new Uint8Array(5)), typeof fetch);
}
main();
