#!/usr/bin/env node
// Renders build/icon.png (512×512 RGBA) from the same shapes as build/icon.svg: a
// rounded square with a blue→green gradient, a lens and its handle, and three call
// rows. Run by hand after changing the design: `node build/make-icon.mjs`.
import { deflateSync } from 'node:zlib';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const S = 512;

function crc32(buf) {
  let c;
  const table = [];
  for (let n = 0; n < 256; n++) {
    c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  let crc = 0xffffffff;
  for (const b of buf) crc = table[(crc ^ b) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

// Signed distances (negative inside), in pixels.
const roundedRect = (x, y, cx, cy, hw, hh, r) => {
  const qx = Math.abs(x - cx) - hw + r;
  const qy = Math.abs(y - cy) - hh + r;
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
};
const ring = (x, y, cx, cy, r, w) => Math.abs(Math.hypot(x - cx, y - cy) - r) - w / 2;
const segment = (x, y, ax, ay, bx, by, w) => {
  const px = x - ax, py = y - ay, dx = bx - ax, dy = by - ay;
  const t = Math.max(0, Math.min(1, (px * dx + py * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - dx * t, py - dy * t) - w / 2;
};
const cover = (d) => Math.max(0, Math.min(1, 0.5 - d));

const raw = Buffer.alloc(S * (S * 4 + 1));
for (let y = 0; y < S; y++) {
  raw[y * (S * 4 + 1)] = 0;
  for (let x = 0; x < S; x++) {
    const px = x + 0.5, py = y + 0.5;
    const t = (px + py) / (2 * S);
    // Gradient #2f6fde → #22a06b.
    let r = 0x2f + (0x22 - 0x2f) * t, g = 0x6f + (0xa0 - 0x6f) * t, b = 0xde + (0x6b - 0xde) * t;
    const bg = cover(roundedRect(px, py, 256, 256, 232, 232, 96));
    const rows = Math.min(1, cover(segment(px, py, 120, 170, 300, 170, 28)) + cover(segment(px, py, 120, 240, 250, 240, 28)) + cover(segment(px, py, 120, 310, 210, 310, 28)));
    const lens = Math.min(1, cover(ring(px, py, 318, 300, 78, 30)) + cover(segment(px, py, 374, 356, 424, 406, 40)));
    const white = Math.min(1, rows * 0.85 + lens);
    r += (255 - r) * white;
    g += (255 - g) * white;
    b += (255 - b) * white;
    const o = y * (S * 4 + 1) + 1 + x * 4;
    raw[o] = Math.round(r);
    raw[o + 1] = Math.round(g);
    raw[o + 2] = Math.round(b);
    raw[o + 3] = Math.round(bg * 255);
  }
}

const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(S, 0);
ihdr.writeUInt32BE(S, 4);
ihdr[8] = 8; // bit depth
ihdr[9] = 6; // RGBA
const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
writeFileSync(join(import.meta.dirname, 'icon.png'), png);
