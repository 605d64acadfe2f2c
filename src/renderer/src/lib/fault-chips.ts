/** An owner's active faults and limits in plain words, one chip each (none when it relays untouched). */
import type { PolicySettings } from '../../../shared/api';

export function faultChips(p: PolicySettings): string[] {
  const chips: string[] = [];
  if (p.refuseVfs) chips.push('refuses file-level (VFS) calls');
  if (p.latencyMs > 0) chips.push(`+${p.latencyMs} ms per call`);
  if (p.responseDelayMs > 0) chips.push(`responses +${p.responseDelayMs} ms`);
  if (p.jitterMs > 0 && (p.latencyMs > 0 || p.responseDelayMs > 0)) chips.push(`jitter 0–${p.jitterMs} ms`);
  if (p.bandwidthBytesPerSec > 0) chips.push(`${Math.round(p.bandwidthBytesPerSec / 1024)} KiB/s cap`);
  if (p.dropAfterBytes > 0) chips.push(`drops after ${p.dropAfterBytes} bytes`);
  if (p.dropAfterCalls > 0) chips.push(`drops after call ${p.dropAfterCalls}`);
  if (p.dropOnVerb) chips.push(`drops on ${p.dropOnVerb}`);
  if (p.cutBodyOfVerb) chips.push(`cuts the body of ${p.cutBodyOfVerb}`);
  if (p.errorVerb) chips.push(`${p.errorVerb.verb} → error ${p.errorVerb.error.join(' ')}`);
  if (p.emulate.maxProtocol < 3) chips.push(`acts as a v${p.emulate.maxProtocol}-only server`);
  if (p.emulate.unknownVerbs.length) chips.push(`pretends not to know ${p.emulate.unknownVerbs.join(', ')}`);
  if (p.emulate.softwareVersion) chips.push(`claims version ${p.emulate.softwareVersion}`);
  return chips;
}
