/** `--trace FILE` for `hpss serve` and `hpss proxy`: record every event of the run. */
import { TraceRecorder } from '../../trace/recorder';
import type { OwnerHook, OwnerHookContext } from '../owner-command';
import { errorText } from '../args';

const recorders = new WeakMap<OwnerHookContext, TraceRecorder>();

export const traceHook: OwnerHook = {
  options: { trace: { type: 'string' } },
  // Opened before the owner starts, so the trace has its listener events too.
  async beforeStart(ctx) {
    const file = ctx.values.trace;
    if (typeof file !== 'string') return null;
    try {
      recorders.set(ctx, TraceRecorder.open(file, ctx.bus, { meta: { command: ctx.command } }));
    } catch (err) {
      process.stderr.write(`hpss ${ctx.command}: ${errorText(err)}\n`);
      return 1;
    }
    return null;
  },
  async afterStart(ctx) {
    const recorder = recorders.get(ctx);
    if (recorder) return async () => recorder.close();
  },
};
