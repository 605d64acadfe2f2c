/**
 * `hpss ui`: the app's UI in a browser, served by the browser shell on loopback. A restart
 * keeps the last launch's token and, when any port will do, its port (`ui-session.ts`), so
 * the open tab carries on.
 */
import { join } from 'node:path';
import { startBrowserShell, type BrowserShell } from '../../app/browser-shell';
import { Engine } from '../../engine/engine';
import { realBackends } from '../../engine/real-backends';
import { loadUiSession, saveUiSession, uiSessionFile } from '../ui-session';
import { optionsCommand } from './command';

/** `HOST:0` → the last launch's port first (free again after a restart), else any. */
async function startOnLastPort(listen: string, port: number, start: (listen: string) => Promise<BrowserShell>): Promise<BrowserShell> {
  const anyPort = /:0$/.exec(listen);
  if (!anyPort || port === 0) return start(listen);
  try {
    return await start(listen.replace(/:0$/, `:${port}`));
  } catch {
    return start(listen);
  }
}

export const uiCommand = optionsCommand({
  name: 'ui',
  usage: 'ui [--listen 127.0.0.1:PORT] [--new-token]',
  summary: 'serve the app in a browser on loopback (URL with a token, kept across restarts unless --new-token)',
  options: { listen: { type: 'string', default: '127.0.0.1:0' }, 'new-token': { type: 'boolean', default: false } },
  async run(parsed, usageMistake) {
    if (parsed.positionals.length > 0) return usageMistake(`unexpected argument '${parsed.positionals[0]}'`);
    const engine = new Engine(realBackends);
    const file = uiSessionFile();
    const session = loadUiSession(file, parsed.values['new-token']);
    // out/main/hpss.js → out/renderer
    const shell = await startOnLastPort(parsed.values.listen, session.port, (listen) =>
      startBrowserShell({ engine, listen, rendererDir: join(__dirname, '..', 'renderer'), token: session.token }),
    );
    saveUiSession(file, { token: session.token, port: shell.port });
    process.stdout.write(`HPSS Inspector UI: ${shell.url}\n`);
    return new Promise<number>((resolve) => {
      const stop = () => {
        void Promise.allSettled([engine.shutdown(), shell.stop()]).then(() => resolve(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
  },
});
