import i18next, { type i18n as I18n } from 'i18next';
import { initReactI18next } from 'react-i18next';
import type { I18nProvider } from '@refinedev/core';
import en from './locales/en';
import zhCN from './locales/zh-CN';

export const LANGUAGES = [
  { code: 'en', label: 'English', flag: 'EN' },
  { code: 'zh-CN', label: '简体中文', flag: '中' },
] as const;

export type Language = (typeof LANGUAGES)[number]['code'];

const STORAGE_KEY = 'dreamloom.admin.lang';
export const FALLBACK_LANGUAGE: Language = 'en';

/** A saved choice wins; otherwise the browser's first language we have; otherwise English. */
export function detectLanguage(
  saved: string | null = localStorage.getItem(STORAGE_KEY),
  browser: readonly string[] = navigator.languages?.length ? navigator.languages : [navigator.language],
): Language {
  const pick = (tag: string | null | undefined): Language | undefined => {
    if (!tag) return undefined;
    const lower = tag.toLowerCase();
    if (lower.startsWith('zh')) return 'zh-CN';
    if (lower.startsWith('en')) return 'en';
    return undefined;
  };
  return pick(saved) ?? browser.map(pick).find((lang) => lang !== undefined) ?? FALLBACK_LANGUAGE;
}

export function createI18n(): I18n {
  const instance = i18next.createInstance();
  void instance.use(initReactI18next).init({
    resources: { en: { translation: en }, 'zh-CN': { translation: zhCN } },
    lng: detectLanguage(),
    fallbackLng: FALLBACK_LANGUAGE,
    supportedLngs: LANGUAGES.map((l) => l.code),
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  instance.on('languageChanged', (lng) => {
    localStorage.setItem(STORAGE_KEY, lng);
    document.documentElement.lang = lng;
  });
  document.documentElement.lang = instance.language;
  return instance;
}

/** Refine's i18n bindings over i18next: keys missing from our files fall back to Refine's defaults. */
export function createI18nProvider(instance: I18n): I18nProvider {
  return {
    translate: (key: string, options?: unknown, defaultMessage?: string) => {
      const fallback = typeof options === 'string' ? options : defaultMessage;
      const params =
        typeof options === 'object' && options !== null ? (options as Record<string, unknown>) : {};
      if (!instance.exists(key) && fallback !== undefined) return fallback;
      return String(instance.t(key, params));
    },
    changeLocale: (lang: string) => instance.changeLanguage(lang),
    getLocale: () => instance.resolvedLanguage ?? instance.language,
  };
}
