// Buffer: encodings, numeric reads and writes, search, compare, slicing semantics.
const buf = Buffer.from('Héllo, wörld! ✓ 🎉');
console.log(buf.length, buf.toString('hex'));
for (const enc of ['utf8', 'utf16le', 'latin1', 'ascii', 'base64', 'base64url', 'hex', 'binary', 'ucs2']) {
  const s = buf.toString(enc);
  console.log(enc.padEnd(9), JSON.stringify(s).slice(0, 70), Buffer.byteLength(s, enc));
}
console.log(Buffer.from('aGVsbG8gd29ybGQ', 'base64').toString(), Buffer.from('68656c6c6fzz', 'hex'));
const b = Buffer.alloc(32);
b.writeUInt8(0xff, 0); b.writeInt16BE(-2, 1); b.writeUInt32LE(0xdeadbeef, 3); b.writeDoubleBE(Math.PI, 7);
b.writeFloatLE(1.5, 15); b.writeBigInt64BE(-1234567890123456789n, 19); b.writeUIntBE(0x123456, 27, 3);
console.log(b.toString('hex'));
console.log(b.readUInt8(0), b.readInt16BE(1), b.readUInt32LE(3).toString(16), b.readDoubleBE(7), b.readFloatLE(15),
  b.readBigInt64BE(19), b.readUIntBE(27, 3).toString(16), b.readInt8(0));
try { b.readUInt32LE(30); } catch (e) { console.log(e.code, e.name); }
const x = Buffer.from('abcdefabc');
console.log(x.indexOf('abc'), x.lastIndexOf('abc'), x.indexOf('abc', 1), x.includes('fa'), x.indexOf(Buffer.from('z')));
const slice = x.subarray(2, 5);
slice[0] = 0x43;
console.log(x.toString(), slice.toString(), Buffer.compare(Buffer.from('a'), Buffer.from('b')), x.equals(Buffer.from('abCdefabc')));
console.log(Buffer.concat([Buffer.from('ab'), Buffer.from('cd'), Buffer.alloc(2, 'z')]).toString(), Buffer.concat([], 0).length);
const sw = Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]);
console.log(Buffer.from(sw).swap16(), Buffer.from(sw).swap32(), Buffer.from(sw).swap64());
console.log(Buffer.alloc(5, 'ab'), Buffer.alloc(4).fill(0x41, 1, 3), Buffer.from([257, -1, 3.7]));
console.log(JSON.stringify(Buffer.from('hi')), Buffer.isBuffer(new Uint8Array(2)), Buffer.isEncoding('UTF-8'), Buffer.isEncoding('nope'));
const arr = [Buffer.from('pear'), Buffer.from('apple'), Buffer.from('fig')].sort(Buffer.compare);
console.log(arr.map(String), Buffer.poolSize, Buffer.from('€').toJSON());
console.log(buf.toString('utf8', 1, 3), buf.subarray(-5).toString(), Buffer.from(buf.buffer, buf.byteOffset, 3).toString());
console.log(require('buffer').constants.MAX_STRING_LENGTH > 1e8, new TextDecoder().decode(Buffer.from([0xe2, 0x82])));
console.log(require('util').inspect(Buffer.alloc(60, 1)), Buffer.from('xyz').write('Q', 1), require('buffer').isUtf8?.(Buffer.from([0xff])));
console.log(atob('Zm9vYmFy'), btoa('foobar'));
