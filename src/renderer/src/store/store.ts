/**
 * The app store: a vanilla zustand store over the pure reducer, one `setState` per
 * dispatched action. Components read it through `useApp` with narrow selectors
 * (`useShallow` for derived objects). No DOM here: the store is tested in Node.
 */
import { useStore } from 'zustand';
import { createStore } from 'zustand/vanilla';
import type { Action } from './actions';
import { initialState, reduce } from './reducer';
import type { AppState } from './types';

export const appStore = createStore<AppState>(() => initialState());

export function dispatch(action: Action): void {
  appStore.setState((s) => reduce(s, action), true);
}

export function useApp<T>(selector: (s: AppState) => T): T {
  return useStore(appStore, selector);
}
