import { expect, test } from 'vitest';
import { parseUnknownHostKey, unknownHostKeyMessage } from '../../src/shared/host-key-offer';

const offer = { keyType: 'ssh-ed25519', name: '[127.0.0.1]:2222', fingerprint: `SHA256:${'a1+/'.repeat(10)}xyz` };

test('the message names the offer, and the offer reads back from it, also inside a longer text', () => {
  for (const others of [[], ['ssh-rsa']]) {
    const message = unknownHostKeyMessage(offer, '/home/me/.ssh/known_hosts', others);
    expect(parseUnknownHostKey(message)).toEqual(offer);
    expect(parseUnknownHostKey(`the server's host key is not known: ${message}`)).toEqual(offer);
  }
  expect(parseUnknownHostKey('Host key verification failed: the ssh-ed25519 host key for h has CHANGED')).toBeNull();
  expect(parseUnknownHostKey('no ssh-ed25519 host key is known for h in f (server sent SHA256:short)')).toBeNull();
});
