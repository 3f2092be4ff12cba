import { useSyncExternalStore } from 'react';
import { browserTimeZone, isKnownTimeZone } from './format-time';

/** The staff member's chosen zone, remembered in this browser; absent means the browser's own. */
const STORAGE_KEY = 'dreamloom.admin.timeZone';
const listeners = new Set<() => void>();

/** The chosen zone, or null when the browser's zone applies. */
export function chosenTimeZone(): string | null {
  const saved = localStorage.getItem(STORAGE_KEY);
  return saved && isKnownTimeZone(saved) ? saved : null;
}

/** Chooses a zone for every page at once (null goes back to the browser's). */
export function chooseTimeZone(zone: string | null): void {
  if (zone) localStorage.setItem(STORAGE_KEY, zone);
  else localStorage.removeItem(STORAGE_KEY);
  listeners.forEach((listener) => listener());
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The zone every time is shown in; components re-render when it is changed. */
export function useTimeZone(): string {
  return useSyncExternalStore(subscribe, () => chosenTimeZone() ?? browserTimeZone());
}
