/**
 * The app store: a vanilla zustand store over the pure reducer, one `setState` per
 * dispatched action. Components read it through `useApp` with narrow selectors
 * (`useShallow` for derived objects).
 */
import { useStore } from 'zustand';
import { createStore } from 'zustand/vanilla';
import type { Action } from './actions';
import { initialState, reduce } from './reducer';
import type { AppState, ThemeChoice } from './types';

function savedTheme(): ThemeChoice {
  try {
    const t = globalThis.localStorage?.getItem('hpss.theme');
    return t === 'light' || t === 'dark' ? t : 'system';
  } catch {
    return 'system';
  }
}

export const appStore = createStore<AppState>(() => initialState(undefined, savedTheme()));

export function dispatch(action: Action): void {
  appStore.setState((s) => reduce(s, action), true);
}

export function useApp<T>(selector: (s: AppState) => T): T {
  return useStore(appStore, selector);
}
