// Draws media/icon.png (128x128): a chat bubble with a cursor bar on GenOS blue, anti-aliased by
// 4x4 supersampling, written as a PNG with Node's zlib. Run it again if the design changes.
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');

const size = 128;
const background = [0x1f, 0x5f, 0xd6];
const foreground = [0xff, 0xff, 0xff];
const accent = [0x1f, 0x5f, 0xd6];

function inRoundedRect(x, y, left, top, right, bottom, radius) {
  if (x < left || x > right || y < top || y > bottom) return false;
  const cx = Math.min(Math.max(x, left + radius), right - radius);
  const cy = Math.min(Math.max(y, top + radius), bottom - radius);
  return (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2;
}

function colorAt(x, y) {
  if (!inRoundedRect(x, y, 0, 0, 128, 128, 24)) return undefined;
  const bubble = inRoundedRect(x, y, 22, 26, 106, 86, 16);
  // The bubble's tail, a triangle below its left side.
  const tail = y >= 84 && y <= 104 && x >= 34 && x <= 58 && x - 34 <= ((104 - y) * 24) / 20;
  if (bubble || tail) {
    // Inside the bubble: a prompt chevron and a cursor bar.
    const chevron = Math.abs(y - 56) <= 12 && Math.abs(x - 42 - (12 - Math.abs(y - 56))) <= 3.5;
    const cursor = x >= 64 && x <= 86 && y >= 64 && y <= 70;
    return chevron || cursor ? accent : foreground;
  }
  return background;
}

const rows = [];
for (let y = 0; y < size; y++) {
  const row = Buffer.alloc(1 + size * 4);
  for (let x = 0; x < size; x++) {
    let r = 0;
    let g = 0;
    let b = 0;
    let a = 0;
    for (let sy = 0; sy < 4; sy++) {
      for (let sx = 0; sx < 4; sx++) {
        const c = colorAt(x + (sx + 0.5) / 4, y + (sy + 0.5) / 4);
        if (!c) continue;
        r += c[0];
        g += c[1];
        b += c[2];
        a += 1;
      }
    }
    const o = 1 + x * 4;
    row[o] = a ? Math.round(r / a) : 0;
    row[o + 1] = a ? Math.round(g / a) : 0;
    row[o + 2] = a ? Math.round(b / a) : 0;
    row[o + 3] = Math.round((a / 16) * 255);
  }
  rows.push(row);
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc = (buffer) => {
  let c = 0xffffffff;
  for (const byte of buffer) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const sum = Buffer.alloc(4);
  sum.writeUInt32BE(crc(body));
  return Buffer.concat([length, body, sum]);
};
const header = Buffer.alloc(13);
header.writeUInt32BE(size, 0);
header.writeUInt32BE(size, 4);
header[8] = 8; // bit depth
header[9] = 6; // RGBA
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', header),
  chunk('IDAT', zlib.deflateSync(Buffer.concat(rows), { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
fs.writeFileSync(path.join(__dirname, '../media/icon.png'), png);
console.log(`media/icon.png: ${png.length} bytes`);
