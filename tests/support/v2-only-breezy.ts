/**
 * Breezy's own `brz` with v3 detection removed: a real pre-1.6 (v2-only) peer. Run as
 * `python3 -c V2_ONLY_BRZ ARGS…` (or from a file), ARGS being brz's own, e.g.
 * `serve --inet --directory=DIR`.
 */
export const V2_ONLY_BRZ = `import sys, breezy
from breezy.bzr.smart import medium, protocol
_orig = medium._get_protocol_factory_for_bytes
def _v2_only(data):
    if data.startswith(protocol.MESSAGE_VERSION_THREE):
        return protocol.SmartServerRequestProtocolOne, data
    return _orig(data)
medium._get_protocol_factory_for_bytes = _v2_only
from breezy import commands
with breezy.initialize():
    sys.exit(commands.main(['brz'] + sys.argv[1:]))
`;
