/** Refuse VFS requests as a server that allows none would (Breezy's VFS refusal text). */
import { vfsNotAllowedText } from '../protocol';
import { checkBoolean, definePolicy } from './policy';

export const refuseVfsPolicy = definePolicy({
  id: 'refuse-vfs',
  label: 'Refuse VFS requests',
  help: 'answer file-level (VFS) requests with Breezy\'s "VFS requests … are not allowed" error',
  defaults: { refuseVfs: false },
  check: (o, path) => (o.refuseVfs === undefined ? {} : { refuseVfs: checkBoolean(o.refuseVfs, `${path}.refuseVfs`) }),
  inputs: [
    { flag: 'refuse-vfs', label: 'Refuse VFS requests', help: 'answer VFS requests with an error', type: 'boolean', show: (s) => s.refuseVfs, parse: (v) => ({ refuseVfs: v === true || v === 'true' }) },
  ],
  chips: (s) => (s.refuseVfs ? ['refuses file-level (VFS) calls'] : []),
  /**
   * `('error', TEXT)`: a brz client has no translation for it, so it shows the tuple with the
   * verb in it. `PermissionDenied` would read better but is swallowed where brz tolerates it
   * (`Transport.ensure_base` after a refused `mkdir`), hiding the cause.
   */
  request: (head, s) =>
    s.refuseVfs && head.vfs ? { kind: 'answer', answer: { status: 'E', args: ['error', vfsNotAllowedText(head.verb, head.args)] }, action: 'refused a VFS request' } : null,
});
