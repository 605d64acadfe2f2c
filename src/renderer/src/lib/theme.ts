/** The theme choice, remembered across launches. Storage may be unavailable (private mode): then it lasts the session. */
import type { ThemeChoice } from '../store/types';

const KEY = 'hpss.theme';

export function savedTheme(): ThemeChoice {
  try {
    const t = localStorage.getItem(KEY);
    return t === 'light' || t === 'dark' ? t : 'system';
  } catch {
    return 'system';
  }
}

export function saveTheme(theme: ThemeChoice): void {
  try {
    localStorage.setItem(KEY, theme);
  } catch {
    // See above: nothing to do.
  }
}
