/**
 * The capture file reader and the frame/TCP layers on their own: records at every split
 * offset, big-endian pcapng sections, snap-length cuts becoming gaps, frames that are not
 * TCP, link types not read, and malformed files refused with where.
 */
import { describe, expect, test } from 'vitest';
import { CaptureFormatError, CaptureImporter, CaptureReader, type CapturedPacket } from '../../../src/shared/interchange';
import { tcpSegmentOf } from '../../../src/shared/interchange/packet';
import { ACK, PSH, conversation, fixtureChunks, frame, pcapFile, pcapngFile, type Segment } from './support/capture-builder';

function readAll(bytes: Uint8Array, cuts: number[] = []): { packets: CapturedPacket[]; cut: number } {
  const packets: CapturedPacket[] = [];
  const reader = new CaptureReader((p) => packets.push({ ...p, data: new Uint8Array(p.data) }));
  let at = 0;
  for (const c of [...cuts, bytes.length]) {
    reader.feed(bytes.subarray(at, c));
    at = c;
  }
  return { packets, cut: reader.finish() };
}

const seg: Segment = { t: 1_700_000_000_123.456, fromClient: true, seq: 7, ack: 9, flags: ACK | PSH, payload: Buffer.from('hello\n') };

describe('CaptureReader', () => {
  test('pcap and pcapng records come out whole at every split offset, with their times', () => {
    const packets = [seg, { ...seg, t: seg.t + 1 }].map((s) => ({ t: s.t, data: frame('sll2', s) }));
    for (const file of [pcapFile(276, packets), pcapngFile(276, packets)]) {
      const whole = readAll(file);
      expect(whole.packets.map((p) => [p.linkType, p.data.length, p.originalLength])).toEqual([[276, packets[0].data.length, packets[0].data.length], [276, packets[1].data.length, packets[1].data.length]]);
      expect(whole.packets[0].t).toBeCloseTo(seg.t, 3);
      for (let cut = 0; cut <= file.length; cut++) expect(readAll(file, [cut])).toEqual(whole);
    }
  });

  test('a big-endian pcapng section reads the same', () => {
    const le = pcapngFile(1, [{ t: seg.t, data: frame('ethernet', seg) }]);
    // The same section written big-endian: every field byte-swapped.
    const be = Buffer.from(le);
    const swap32 = (o: number) => be.writeUInt32BE(le.readUInt32LE(o), o);
    const swap16 = (o: number) => be.writeUInt16BE(le.readUInt16LE(o), o);
    // SHB: type, length, magic, version (2×16), section length (64), length.
    [0, 4, 8].forEach(swap32);
    swap16(12);
    swap16(14);
    be.writeBigInt64BE(le.readBigInt64LE(16), 16);
    swap32(24);
    // IDB at 28: type, length, link type (16), reserved (16), snap length, option if_tsresol (code, len, value 9), end, length.
    [28, 32].forEach(swap32);
    swap16(36);
    swap16(38);
    swap32(40);
    swap16(44);
    swap16(46);
    swap16(52);
    swap16(54);
    swap32(56);
    // A name resolution block at 60 (length 16), then the EPB at 76.
    [60, 64, 72].forEach(swap32);
    const epb = 76;
    const length = le.readUInt32LE(epb + 4);
    [epb, epb + 4, epb + 8, epb + 12, epb + 16, epb + 20, epb + 24, epb + length - 4].forEach(swap32);
    expect(readAll(le).packets).toHaveLength(1);
    expect(readAll(be)).toEqual(readAll(le));
  });

  test('malformed files are refused, saying what and where', () => {
    expect(() => readAll(Buffer.from('GIF89a'))).toThrow(CaptureFormatError);
    const huge = pcapFile(1, [{ t: 0, data: Buffer.alloc(10) }]);
    huge.writeUInt32LE(64 * 1024 * 1024, 24 + 8);
    expect(() => readAll(huge)).toThrow(/a packet record of 67108864 bytes .*\(at byte 24\)/);
    const badBlock = pcapngFile(1, []);
    badBlock.writeUInt32LE(13, 4);
    expect(() => readAll(badBlock)).toThrow(/pcapng block of bad length 13 \(at byte 0\)/);
    expect(readAll(pcapFile(1, [{ t: 0, data: frame('ethernet', seg) }]).subarray(0, 50)).cut).toBe(26);
  });
});

describe('frames to TCP segments', () => {
  test('what is not TCP is null: UDP, an IP fragment, ARP', () => {
    const f = frame('ethernet', seg);
    expect(tcpSegmentOf(1, f)).toMatchObject({ src: '10.0.0.1', srcPort: 51000, dst: '10.0.0.2', dstPort: 4155, seq: 7, ack: 9 });
    const udp = Buffer.from(f);
    udp[18 + 9] = 17;
    expect(tcpSegmentOf(1, udp)).toBeNull();
    const fragment = Buffer.from(f);
    fragment.writeUInt16BE(0x2000, 18 + 6); // more fragments
    expect(tcpSegmentOf(1, fragment)).toBeNull();
    const arp = Buffer.from(f);
    arp.writeUInt16BE(0x0806, 16);
    expect(tcpSegmentOf(1, arp)).toBeNull();
  });

  test('a frame cut at the snap length: its payload as captured and the bytes cut', () => {
    const f = frame('sll', { ...seg, payload: Buffer.alloc(100, 0x61) });
    const cut = tcpSegmentOf(113, f.subarray(0, f.length - 40), f.length);
    expect(cut?.payload.length).toBe(60);
    expect(cut?.cutBytes).toBe(40);
  });
});

describe('capture import of damaged or foreign captures', () => {
  test('segments cut at the snap length become gaps named with their length', () => {
    const segs = conversation(fixtureChunks('cli-branch.conn1'));
    const packets = segs.map((s) => {
      const data = frame('ethernet', s);
      return { t: s.t, data: s.payload.length > 2000 ? data.subarray(0, data.length - 1000) : data };
    });
    // pcap records keep the wire length: rebuild with incl_len < orig_len.
    const file = pcapFile(1, packets);
    let at = 24;
    for (const [i, s] of segs.entries()) {
      const full = frame('ethernet', s).length;
      file.writeUInt32LE(full, at + 12);
      at += 16 + packets[i].data.length;
    }
    const importer = new CaptureImporter();
    importer.feed(file);
    const r = importer.finish();
    expect(r.problems.join('\n')).toMatch(/m1: 1000 bytes of responses not captured/);
  });

  test('a link type it does not read is named', () => {
    const importer = new CaptureImporter();
    importer.feed(pcapFile(147, [{ t: 0, data: Buffer.alloc(40) }]));
    expect(importer.finish().problems).toEqual([expect.stringMatching(/packets of link type 147 are not read/)]);
  });
});
