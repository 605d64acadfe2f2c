/**
 * The Electron shell: one window, the engine in this process, the typed API of
 * src/shared/api.ts over IPC. Thin on purpose: a handler per command name that checks
 * the sender and hands the untrusted arguments to the Engine (which validates them);
 * events go out batched, one IPC message per ~16 ms.
 */
import { app, BrowserWindow, ipcMain, session, shell, type IpcMainInvokeEvent } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { EVENTS_CHANNEL } from '../../shared/api';
import { commandNames, invalidArgument } from '../../shared/api-validate';
import { Engine } from '../engine/engine';
import { EventBatcher } from '../engine/event-batcher';
import { realBackends } from '../engine/real-backends';
import { contentSecurityPolicy } from './browser-shell';
import { isAllowedExternalLink } from './external-links';
import { isAllowedPermission } from './permissions';
import { isTrustedSender } from './sender-check';

const RENDERER_INDEX = join(__dirname, '../renderer/index.html');
const engine = new Engine(realBackends);
let mainWindow: BrowserWindow | null = null;

const RENDERER_URL = pathToFileURL(RENDERER_INDEX).href;

function trustedSender(event: IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame;
  return isTrustedSender(
    {
      fromOurWindow: mainWindow !== null && event.sender === mainWindow.webContents,
      fromMainFrame: frame !== null && mainWindow !== null && frame === mainWindow.webContents.mainFrame,
      frameUrl: frame?.url ?? '',
    },
    RENDERER_URL,
  );
}

function registerCommands(): void {
  for (const name of commandNames()) {
    ipcMain.handle(name, (event, args: unknown) => {
      if (!trustedSender(event)) return { ok: false, error: invalidArgument('this frame may not call the engine') };
      return engine.invoke(name, args);
    });
  }
}

function lockDown(win: BrowserWindow): void {
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [contentSecurityPolicy()] } });
  });
  // The UI needs no permission beyond writing the clipboard (camera, notifications,
  // clipboard-read, … are refused), and only for our own window: requests and checks alike.
  const ours = (wc: Electron.WebContents | null) => wc !== null && mainWindow !== null && wc === mainWindow.webContents;
  session.defaultSession.setPermissionRequestHandler((wc, permission, callback) => callback(ours(wc) && isAllowedPermission(permission)));
  session.defaultSession.setPermissionCheckHandler((wc, permission) => ours(wc) && isAllowedPermission(permission));
  win.webContents.on('will-navigate', (e) => e.preventDefault());
  win.webContents.on('will-attach-webview', (e) => e.preventDefault());
  // Links to docs open in the user's browser; nothing opens inside the app.
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (isAllowedExternalLink(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
}

function createWindow(): void {
  const win = new BrowserWindow({
    width: 1360,
    height: 860,
    minWidth: 960,
    minHeight: 600,
    title: 'HPSS Inspector',
    show: false,
    webPreferences: {
      preload: join(__dirname, '../preload/index.js'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  mainWindow = win;
  lockDown(win);
  const batcher = new EventBatcher((batch) => {
    if (!win.isDestroyed()) win.webContents.send(EVENTS_CHANNEL, batch);
  });
  const unsubscribe = engine.onEvent((e) => batcher.push(e));
  win.once('ready-to-show', () => win.show());
  win.on('closed', () => {
    unsubscribe();
    batcher.close();
    mainWindow = null;
  });
  void win.loadFile(RENDERER_INDEX);
}

app.enableSandbox();
app.on('web-contents-created', (_e, contents) => {
  contents.on('will-navigate', (e) => e.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
});

void app.whenReady().then(() => {
  registerCommands();
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on('window-all-closed', () => {
  void engine.shutdown().finally(() => app.quit());
});
