/**
 * The words of an unknown-host-key failure, made by the engine and read back by the UI
 * so it can show the offered key's fingerprint and offer to trust exactly that key.
 * One home for the format, so the two cannot drift apart.
 */

export interface HostKeyOffer {
  keyType: string;
  /** The known_hosts name: `host`, or `[host]:port` off port 22. */
  name: string;
  /** `SHA256:…`, as OpenSSH prints it. */
  fingerprint: string;
}

export function unknownHostKeyMessage(offer: HostKeyOffer, file: string, otherTypes: string[]): string {
  const others = otherTypes.length ? `; it knows ${otherTypes.join(', ')} keys for it` : '';
  return (
    `Host key verification failed: no ${offer.keyType} host key is known for ${offer.name} in ${file} ` +
    `(server sent ${offer.fingerprint}${others}); once the fingerprint is checked, accept it as a new host key`
  );
}

const UNKNOWN = /no (\S+) host key is known for (\S+) in .* \(server sent (SHA256:[A-Za-z0-9+/]{43})/;

/** The offer named in a text (an error, a probe verdict), or null when there is none. */
export function parseUnknownHostKey(text: string): HostKeyOffer | null {
  const m = UNKNOWN.exec(text);
  return m ? { keyType: m[1], name: m[2], fingerprint: m[3] } : null;
}
