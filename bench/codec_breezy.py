"""Breezy's own decoders on the workloads bench/codec.js wrote: ProtocolThreeDecoder for v3
streams (a new decoder per message, fed the previous one's unused bytes, as Breezy's mediums
do) and ChunkedBodyDecoder for v2 streamed bodies. Input fed in 64 KiB pieces. Prints JSON:
{name: {"seconds": best-of-N, "messages": n, "body_bytes": n}}.
With `encode REPEATS N PARTS`: Breezy's v3 encoder and responder on the same small messages
and a response of PARTS 1 MiB body parts; prints {small|large: {"seconds", "bytes"}}."""
import json
import sys
import time

from breezy.bzr.smart import message, protocol, request

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

VERBS = [
    [b'BzrDir.open_2.1', b'trunk/'], [b'Branch.get_stacked_on_url', b'trunk/'], [b'Branch.last_revision_info', b'trunk/'],
    [b'Repository.get_rev_id_for_revno', b'trunk/', b'5', b'capture@example.com-20240105100000-dhwrpknxmv73k9qj'],
    [b'get', b'/trunk/.bzr/branch/format'], [b'Transport.is_readonly'],
]
HEADERS = {b'Software version': b'3.3.2'}


def encode_small(n):
    """The small-message workload of bench/codec.js, encoded by Breezy's v3 encoder and responder."""
    out = []
    for i in range(n):
        enc = protocol._ProtocolThreeEncoder(out.append)
        enc._write_protocol_version()
        enc._write_headers(HEADERS)
        enc._write_structure(VERBS[i % len(VERBS)])
        enc._write_end()
        responder = protocol.ProtocolThreeResponder(out.append)
        cls = request.SuccessfulSmartServerResponse if i % 7 else request.FailedSmartServerResponse
        responder.send_response(cls((b'ok', str(i).encode())))
    return sum(len(b) for b in out)


def encode_large(parts):
    part = bytes((i * 31) & 255 for i in range(1024 * 1024))
    out = []
    responder = protocol.ProtocolThreeResponder(out.append)
    responder.send_response(request.SuccessfulSmartServerResponse((b'ok',), body_stream=iter([part] * parts)))
    return sum(len(b) for b in out)


def encode(repeats, n_small, parts):
    results = {}
    for name, fn, arg in (('small', encode_small, n_small), ('large', encode_large, parts)):
        best = None
        for _ in range(repeats):
            t0 = time.perf_counter()
            size = fn(arg)
            elapsed = time.perf_counter() - t0
            best = elapsed if best is None else min(best, elapsed)
        results[name] = {'seconds': best, 'bytes': size}
    json.dump(results, sys.stdout)


def main():
    if sys.argv[1] == 'encode':
        return encode(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
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
