"""Breezy 3.3.2 as an oracle for the protocol tests: its verb registry, and bytes from its own
encoders. Prints one JSON document. Run with the system python3 (where breezy is installed)."""
import json
import sys

from breezy.bzr.smart import protocol, request
from breezy.bzr.smart.request import SmartServerRequest


def registry():
    out = []
    for verb in sorted(request.request_handlers.keys()):
        cls = request.request_handlers.get(verb)
        takes_body = any(getattr(cls, m) is not getattr(SmartServerRequest, m) for m in ('do_body', 'do_chunk', 'do_end'))
        out.append({'verb': verb.decode(), 'kind': request.request_handlers.get_info(verb), 'takes_body': takes_body})
    return out


class Sink:
    def __init__(self):
        self.data = b''

    def accept_bytes(self, data):
        self.data += data

    def finished_writing(self):
        pass

    def write(self, data):
        self.data += data


def v3_request(args, body=None, stream=None):
    sink = Sink()
    requester = protocol.ProtocolThreeRequester(sink)
    requester.set_headers({b'Software version': b'3.3.2'})
    if stream is not None:
        requester.call_with_body_stream(args, iter(stream))
    elif body is not None:
        requester.call_with_body_bytes(args, body)
    else:
        requester.call(*args)
    return sink.data


def v12_request(cls, args, body=None):
    sink = Sink()
    proto = cls(sink)
    if body is not None:
        proto.call_with_body_bytes(args, body)
    else:
        proto.call(*args)
    return sink.data


def v3_response(response):
    sink = Sink()
    responder = protocol.ProtocolThreeResponder(sink.write)
    responder._headers = {b'Software version': b'3.3.2'}
    responder.send_response(response)
    return sink.data


def v12_response(cls, response):
    sink = Sink()
    proto = cls(None, sink.write)
    proto._send_response(response)
    return sink.data


ok = request.SuccessfulSmartServerResponse
failed = request.FailedSmartServerResponse
stream = [b'first', b'', b'second part']
encodings = {
    'v3 request': v3_request((b'BzrDir.open_2.1', b'trunk/')),
    'v3 request body': v3_request((b'put', b'/f', b''), body=b'some\nbytes'),
    'v3 request stream': v3_request((b'Repository.insert_stream_1.19', b'r/', b''), stream=stream),
    'v2 request body': v12_request(protocol.SmartClientRequestProtocolTwo, (b'put', b'/f', b''), body=b'some\nbytes'),
    'v1 request': v12_request(protocol.SmartClientRequestProtocolOne, (b'get', b'/f')),
    'v3 response body': v3_response(ok((b'ok',), b'body')),
    'v3 response stream error': v3_response(ok((b'ok',), body_stream=iter([b'first', failed((b'NoSuchRevision', b'r1'))]))),
    'v3 response error': v3_response(failed((b'NoSuchFile', b'/x'))),
    'v2 response body': v12_response(protocol.SmartServerRequestProtocolTwo, ok((b'ok',), b'body')),
    'v2 response stream': v12_response(protocol.SmartServerRequestProtocolTwo, ok((b'ok',), body_stream=iter(stream))),
    'v2 response stream error': v12_response(protocol.SmartServerRequestProtocolTwo, ok((b'ok',), body_stream=iter([b'first', failed((b'NoSuchRevision', b'r1'))]))),
    'v2 response failed': v12_response(protocol.SmartServerRequestProtocolTwo, failed((b'NoSuchFile', b'/x'))),
    'v1 response body': v12_response(protocol.SmartServerRequestProtocolOne, ok((b'ok',), b'body')),
}
json.dump({'registry': registry(), 'encodings': {k: v.hex() for k, v in encodings.items()}}, sys.stdout)
