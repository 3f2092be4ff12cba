import i18next, { type i18n as I18n } from 'i18next';
import LanguageDetector from 'i18next-browser-languagedetector';
import { initReactI18next } from 'react-i18next';
import type { I18nProvider } from '@refinedev/core';
import en from './locales/en';
import zhCN from './locales/zh-CN';

export const LANGUAGES = [
  { code: 'en', label: 'English', flag: 'EN' },
  { code: 'zh-CN', label: '简体中文', flag: '中' },
] as const;

export type Language = (typeof LANGUAGES)[number]['code'];

/** Where the staff member's choice is remembered (the browser tests preset it too). */
const STORAGE_KEY = 'dreamloom.admin.lang';
/**
 * The same choice, for the queue monitor: bull-board is served by the server under /admin/queues
 * (server/src/routes/queue-monitor.ts), which reads this cookie to open it in the admin's language.
 */
const MONITOR_COOKIE = 'dreamloom_admin_lang';
export const FALLBACK_LANGUAGE: Language = 'en';

/**
 * Chinese of any region (zh, zh-TW, zh-Hans-SG…) reads zh-CN and English of any region reads en;
 * other tags pass through and i18next takes the first one we have, so fr-FR, zh-CN still picks
 * Chinese and a browser with none of ours gets English. (en-GB is mapped here, not left to i18next:
 * it prefers any exact match, so en-GB, zh-CN would have read Chinese.)
 */
export function toSupportedLanguage(tag: string): string {
  const lower = tag.toLowerCase();
  if (lower === 'zh' || lower.startsWith('zh-') || lower.startsWith('zh_')) return 'zh-CN';
  if (lower === 'en' || lower.startsWith('en-') || lower.startsWith('en_')) return 'en';
  return tag;
}

/**
 * A saved choice wins, then the browser's languages, then English — i18next-browser-languagedetector
 * does the looking up and the remembering; every detected tag is mapped onto our two locales.
 */
export function createI18n(): I18n {
  const instance = i18next.createInstance();
  void instance
    .use(LanguageDetector)
    .use(initReactI18next)
    .init({
      resources: { en: { translation: en }, 'zh-CN': { translation: zhCN } },
      fallbackLng: FALLBACK_LANGUAGE,
      supportedLngs: LANGUAGES.map((l) => l.code),
      detection: {
        order: ['localStorage', 'navigator'],
        lookupLocalStorage: STORAGE_KEY,
        caches: ['localStorage', 'cookie'],
        lookupCookie: MONITOR_COOKIE,
        cookieMinutes: 60 * 24 * 365,
        cookieOptions: { path: '/admin/queues', sameSite: 'strict' },
        convertDetectedLanguage: toSupportedLanguage,
      },
      interpolation: { escapeValue: false },
      returnNull: false,
    });
  instance.on('languageChanged', (lng) => {
    document.documentElement.lang = lng;
  });
  document.documentElement.lang = instance.resolvedLanguage ?? instance.language;
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
