/** The built-in backend: our own handlers over a directory (not built yet). */
import type { ServerBackendEntry } from '../registry';

export const builtinBackendEntry: ServerBackendEntry = {
  unavailableReason: () => 'the built-in backend is not available yet: use --backend breezy (needs brz on the PATH)',
  create: () => {
    throw new Error('the built-in backend is not available yet');
  },
};
