/**
 * The preload: exposes exactly `window.hpss` (the HpssApi of src/shared/api.ts) to the
 * sandboxed renderer. Only whitelisted command names reach IPC; event listeners get
 * plain batches (never the IPC event object) and an unsubscribe function.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { EVENTS_CHANNEL, type CommandName, type HpssApi, type Result } from '../shared/api';
import { invalidArgument, isCommandName } from '../shared/api-validate';
import type { EngineEvent } from '../shared/events';

const api: HpssApi = {
  invoke(command, args) {
    if (!isCommandName(command)) {
      return Promise.resolve({ ok: false, error: invalidArgument(`unknown command '${String(command)}'`) });
    }
    return ipcRenderer.invoke(command satisfies CommandName, args) as Promise<Result<never>>;
  },
  onEvents(listener) {
    const wrapped = (_event: IpcRendererEvent, batch: EngineEvent[]) => listener(batch);
    ipcRenderer.on(EVENTS_CHANNEL, wrapped);
    return () => {
      ipcRenderer.removeListener(EVENTS_CHANNEL, wrapped);
    };
  },
};

contextBridge.exposeInMainWorld('hpss', api);
