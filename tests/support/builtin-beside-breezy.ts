/**
 * The built-in backend and a real `brz serve` serving the same directory, read-only, for a
 * real brz client to run the same command against each; with what the built-in server
 * answered (verb and status), so a test can check a verb was answered and not left to the VFS.
 */
import { EventBus, IdSource } from '../../src/main/bus/event-bus';
import { startServer } from '../../src/main/server';
import { startBrzServe } from './brz-fixtures';

export interface BuiltinBesideBreezy {
  /** bzr:// URL of the built-in server. */
  ours: string;
  /** bzr:// URL of `brz serve`. */
  breezy: string;
  /** Each call the built-in server finished, in order. */
  answered: { verb: string; status: string | null }[];
  stop(): Promise<void>;
}

export async function builtinBesideBreezy(dir: string, env: NodeJS.ProcessEnv): Promise<BuiltinBesideBreezy> {
  const bus = new EventBus();
  const answered: BuiltinBesideBreezy['answered'] = [];
  bus.on((e) => {
    if (e.type === 'call-finished') answered.push({ verb: e.verb, status: e.status });
  });
  const server = await startServer({ backend: 'builtin', dir, listen: '127.0.0.1:0', allowWrites: false }, bus, new IdSource());
  const oracle = await startBrzServe(dir, env, false).catch(async (err: unknown) => {
    await server.stop();
    throw err;
  });
  return {
    ours: server.urls[0],
    breezy: oracle.url,
    answered,
    async stop() {
      oracle.stop();
      await server.stop();
    },
  };
}
