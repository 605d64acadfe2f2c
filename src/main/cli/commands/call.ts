/**
 * `hpss call URL VERB [ARG…] [--body-file FILE] [--json]` and the SSH trust options:
 * one smart call over bzr:// or bzr+ssh://, its response decoded: status, args, body (text or
 * hex), the protocol version that answered and the timing. An ARG written `hex:…` is sent as
 * those bytes. Exit status: 0 success, 3 an error response, 1 no response (connection or
 * protocol failure), 2 usage.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { HpssError, argsToJson, headersToJson, type BValue } from '../../../shared/protocol';
import { redactUrlSecrets } from '../../../shared/redact';
import { bytesForJson, hexDump, printableText } from '../../client/byte-view';
import type { CallResponse } from '../../client/call-types';
import { openMedium } from '../../client/open-medium';
import { SmartClient } from '../../client/smart-client';
import { parseSmartUrl } from '../../client/smart-url';
import { EventBus, IdSource } from '../../bus/event-bus';
import { errorText } from '../args';
import { SSH_CLIENT_OPTIONS, SSH_CLIENT_USAGE, SshOptionError, sshTrustFromValues } from '../hooks/ssh-client-options';
import { JSON_OPTION, optionsCommand } from './command';

const USAGE = `call URL VERB [ARG…] [--body-file FILE] [--json] ${SSH_CLIENT_USAGE}`;

export const callCommand = optionsCommand({
  name: 'call',
  usage: USAGE,
  summary: 'send one call over bzr:// or bzr+ssh:// and print the decoded response',
  options: { 'body-file': { type: 'string' }, ...JSON_OPTION, ...SSH_CLIENT_OPTIONS },
  async run(parsed, usageMistake) {
    const [urlText, verb, ...args] = parsed.positionals;
    if (!urlText || !verb) return usageMistake();
    const { values } = parsed;
    const bus = new EventBus();
    const shownUrl = redactUrlSecrets(urlText);
    let medium;
    try {
      const url = parseSmartUrl(urlText);
      const body = values['body-file'] !== undefined ? readFileSync(values['body-file']) : undefined;
      const ids = new IdSource();
      const trust = await sshTrustFromValues(values);
      // An accepted new host key is shown with its fingerprint, as ssh does.
      const onStep = (s: { step: string; detail: string }) => {
        if (s.step === 'host-key' && trust.acceptNewHostKey) process.stderr.write(`hpss call: host key: ${s.detail}\n`);
      };
      medium = openMedium(url, { bus, ids, ...trust, onStep });
      const client = new SmartClient(medium, { bus, ids });
      const t0 = performance.now();
      await medium.connect();
      const connectMs = performance.now() - t0;
      // `hex:…` args are bytes, as the captures and the UI render them.
      const wireArgs = args.map((a) => (a.startsWith('hex:') ? Buffer.from(a.slice(4), 'hex') : a));
      const response = await client.request({ verb, args: wireArgs, body });
      const timing = { connectMs, callMs: response.durationMs };
      process.stdout.write(values.json ? JSON.stringify(responseJson(shownUrl, verb, args, response, timing), null, 2) + '\n' : formatResponse(shownUrl, verb, response, timing));
      return response.status === 'S' ? 0 : 3;
    } catch (err) {
      const message = errorText(err);
      if (values.json) process.stdout.write(JSON.stringify({ url: shownUrl, verb, error: { code: err instanceof HpssError ? err.code : 'internal', message } }, null, 2) + '\n');
      process.stderr.write(`hpss call: ${message}\n`);
      return err instanceof SshOptionError || (err instanceof HpssError && (err.code === 'bad-url' || err.code === 'unsupported-scheme')) ? 2 : 1;
    } finally {
      medium?.close();
    }
  },
});

interface Timing {
  connectMs: number;
  callMs: number;
}

function responseJson(url: string, verb: string, args: string[], r: CallResponse, timing: Timing) {
  return {
    url,
    request: { verb, args },
    protocol: r.protocol,
    status: r.status,
    args: argsToJson(r.args),
    headers: headersToJson(r.headers),
    body: r.body === null ? null : { length: r.body.length, parts: r.bodyParts.length, ...bytesForJson(r.body) },
    postBodyError: r.postBodyError === null ? null : argsToJson(r.postBodyError),
    connectMs: round(timing.connectMs),
    callMs: round(timing.callMs),
  };
}

function formatResponse(url: string, verb: string, r: CallResponse, timing: Timing): string {
  const lines = [
    `${url} ${verb}`,
    `protocol  v${r.protocol}`,
    `status    ${r.status === 'S' ? 'S (success)' : 'E (error)'}`,
    `args      ${formatArgs(r.args)}`,
  ];
  if (r.postBodyError) lines.push(`error after body  ${formatArgs(r.postBodyError)}`);
  lines.push(`time      connect ${round(timing.connectMs)} ms, call ${round(timing.callMs)} ms`);
  if (r.body === null) {
    lines.push('body      none');
    return lines.join('\n') + '\n';
  }
  const text = printableText(r.body);
  lines.push(`body      ${r.body.length} bytes in ${r.bodyParts.length} part(s), ${text === null ? 'hex' : 'text'}:`);
  lines.push(text === null ? hexDump(r.body) : text.replace(/\n$/, ''));
  return lines.join('\n') + '\n';
}

function formatArgs(args: BValue[]): string {
  return `(${argsToJson(args).map((a) => JSON.stringify(a)).join(', ')})`;
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
