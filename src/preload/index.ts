import { contextBridge } from 'electron';

contextBridge.exposeInMainWorld('hpss', {});
