"""Breezy's own decoders on the workloads bench/codec.js wrote: ProtocolThreeDecoder for v3
streams (a new decoder per message, fed the previous one's unused bytes, as Breezy's mediums
do) and ChunkedBodyDecoder for v2 streamed bodies. Input fed in 64 KiB pieces. Prints JSON:
{name: {"seconds": best-of-N, "messages": n, "body_bytes": n}}."""
import json
import sys
import time

from breezy.bzr.smart import message, protocol

CHUNK = 65536


class Recorder(message.MessageHandler):
    def __init__(self):
        message.MessageHandler.__init__(self)
        self.messages = 0
        self.body_bytes = 0
        self.args = None

    def byte_part_received(self, byte):
        self.status = byte

    def structure_part_received(self, structure):
        self.args = structure

    def bytes_part_received(self, data):
        self.body_bytes += len(data)

    def end_received(self):
        self.messages += 1


def decode_v3(data):
    rec = Recorder()
    dec = protocol.ProtocolThreeDecoder(rec, expect_version_marker=True)
    for at in range(0, len(data), CHUNK):
        piece = data[at:at + CHUNK]
        while piece:
            dec.accept_bytes(piece)
            if dec.next_read_size() == 0:
                piece = dec.unused_data
                dec = protocol.ProtocolThreeDecoder(rec, expect_version_marker=True)
            else:
                piece = b''
    return rec.messages, rec.body_bytes


def decode_v2_chunked(data):
    # The response line, status and args are read by the client's medium; the body decoder
    # starts at "chunked\n".
    start = data.index(b'chunked\n')
    dec = protocol.ChunkedBodyDecoder()
    body = 0
    for at in range(start, len(data), CHUNK):
        dec.accept_bytes(data[at:at + CHUNK])
        for chunk in iter(dec.read_next_chunk, None):
            body += len(chunk)
    if not dec.finished_reading:
        raise AssertionError('chunked body not finished')
    return 1, body


DECODERS = {'v3': decode_v3, 'v2-chunked': decode_v2_chunked}


def main():
    repeats = int(sys.argv[1])
    results = {}
    for spec in sys.argv[2:]:
        name, kind, path = spec.split(':', 2)
        with open(path, 'rb') as f:
            data = f.read()
        best = None
        for _ in range(repeats):
            t0 = time.perf_counter()
            messages, body = DECODERS[kind](data)
            elapsed = time.perf_counter() - t0
            best = elapsed if best is None else min(best, elapsed)
        results[name] = {'seconds': best, 'messages': messages, 'body_bytes': body}
    json.dump(results, sys.stdout)


main()
