/**
 * `ui:call:send`: one call from the app's own client, on a connection of its own that
 * is closed afterwards (so the UI shows it as one short medium). The app client's
 * VFS refusal is Breezy's call hook, installed per call.
 */
import type { CallArgs, CallResult } from '../../shared/api';
import type { JsonValue } from '../../shared/events';
import { argsToJson, headersToJson } from '../../shared/protocol';
import { ClientHooks } from '../client/client-hooks';
import { openMedium } from '../client/open-medium';
import { SmartClient } from '../client/smart-client';
import { parseSmartUrl } from '../client/smart-url';
import { vfsRefuser } from '../client/vfs-refuser';
import type { ClientOptions } from './backends';
import type { EventBus, IdSource } from '../bus/event-bus';

/** Bodies are returned up to this size; `bodyLength` tells the full one. */
export const MAX_RESULT_BODY = 1024 * 1024;

export async function sendCall(args: CallArgs, client: ClientOptions, bus: EventBus, ids: IdSource): Promise<CallResult> {
  const url = parseSmartUrl(args.url);
  const hooks = new ClientHooks();
  if (client.refuseVfs) hooks.onCall(vfsRefuser);
  const medium = openMedium(url, {
    bus,
    ids,
    identityFile: args.identity,
    passphrase: args.passphrase,
    knownHostsFile: args.knownHosts,
    acceptNewHostKey: args.acceptNewHostKey,
    postConnect: hooks.postConnect,
  });
  try {
    const smart = new SmartClient(medium, { bus, ids, hooks });
    const body = args.bodyBase64 !== undefined ? Buffer.from(args.bodyBase64, 'base64') : undefined;
    const r = await smart.request({ verb: args.verb, args: args.args, body });
    const headers = headersToJson(r.headers);
    return {
      protocol: r.protocol,
      status: r.status,
      args: argsToJson(r.args),
      headers: headers !== null && typeof headers === 'object' && !Array.isArray(headers) ? (headers as Record<string, JsonValue>) : null,
      bodyBase64: r.body ? Buffer.from(r.body.subarray(0, MAX_RESULT_BODY)).toString('base64') : null,
      bodyLength: r.body?.length ?? 0,
      // The call's own time: the connection's set-up is its own event.
      ms: r.durationMs,
      callId: r.callId,
    };
  } finally {
    medium.close();
  }
}
