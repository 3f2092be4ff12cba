import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { i18n as I18n } from 'i18next';
import { createI18n, toSupportedLanguage } from './index';

const STORAGE_KEY = 'dreamloom.admin.lang';

/** The browser globals i18next-browser-languagedetector reads, in memory (the unit tests run in Node). */
function stubBrowser(languages: string[], saved?: string) {
  const store = new Map<string, string>(saved ? [[STORAGE_KEY, saved]] : []);
  const localStorage = {
    getItem: (key: string) => store.get(key) ?? null,
    setItem: (key: string, value: string) => void store.set(key, value),
    removeItem: (key: string) => void store.delete(key),
  };
  const document = { documentElement: { lang: '' }, cookie: '' };
  vi.stubGlobal('window', { localStorage, location: { search: '', hash: '', pathname: '/admin/' } });
  vi.stubGlobal('localStorage', localStorage);
  vi.stubGlobal('navigator', { languages, language: languages[0] });
  vi.stubGlobal('document', document);
  return { store, document };
}

async function ready(instance: I18n) {
  if (!instance.isInitialized) await new Promise((resolve) => instance.on('initialized', resolve));
  return instance;
}

describe('admin language detection', () => {
  beforeEach(() => vi.unstubAllGlobals());
  afterEach(() => vi.unstubAllGlobals());

  it('maps Chinese and English of any region onto zh-CN and en and leaves other tags to i18next', () => {
    expect(toSupportedLanguage('zh')).toBe('zh-CN');
    expect(toSupportedLanguage('zh-TW')).toBe('zh-CN');
    expect(toSupportedLanguage('ZH-Hans-SG')).toBe('zh-CN');
    expect(toSupportedLanguage('en-GB')).toBe('en');
    expect(toSupportedLanguage('EN')).toBe('en');
    expect(toSupportedLanguage('fr')).toBe('fr');
    expect(toSupportedLanguage('zu')).toBe('zu');
  });

  it.each([
    [['zh-TW', 'en'], 'zh-CN'],
    [['zh'], 'zh-CN'],
    [['en-GB', 'zh-CN'], 'en'],
    [['fr-FR', 'zh-HK'], 'zh-CN'],
    [['fr-FR', 'de'], 'en'],
    [[], 'en'],
  ])('with no saved choice, browser languages %j read %s', async (languages, expected) => {
    const { store, document } = stubBrowser(languages);
    const instance = await ready(createI18n());
    expect(instance.resolvedLanguage).toBe(expected);
    expect(document.documentElement.lang).toBe(expected);
    // The detected language is remembered as the choice for the next visit.
    expect(store.get(STORAGE_KEY)).toBe(expected);
  });

  it("puts the staff member's saved choice before the browser's languages", async () => {
    stubBrowser(['zh-CN'], 'en');
    expect((await ready(createI18n())).resolvedLanguage).toBe('en');
    stubBrowser(['en-US'], 'zh-CN');
    expect((await ready(createI18n())).resolvedLanguage).toBe('zh-CN');
  });

  it('remembers a switch and reads it on the next load, without a reload in between', async () => {
    const { store, document } = stubBrowser(['en-US']);
    const instance = await ready(createI18n());
    expect(instance.t('header.queueMonitor')).toBe('Queue monitor');
    await instance.changeLanguage('zh-CN');
    expect(instance.t('header.queueMonitor')).toBe('队列监控');
    expect(document.documentElement.lang).toBe('zh-CN');
    expect(store.get(STORAGE_KEY)).toBe('zh-CN');
    expect((await ready(createI18n())).resolvedLanguage).toBe('zh-CN');
  });

  it('hands the language to the queue monitor in a cookie scoped to it', async () => {
    const { document } = stubBrowser(['zh-TW']);
    const instance = await ready(createI18n());
    expect(document.cookie).toMatch(/^dreamloom_admin_lang=zh-CN; /);
    expect(document.cookie).toMatch(/; Path=\/admin\/queues(;|$)/);
    expect(document.cookie).toMatch(/; SameSite=Strict/);
    const expires = new Date(/Expires=([^;]+)/.exec(document.cookie)![1]).getTime();
    expect(expires).toBeGreaterThan(Date.now() + 300 * 24 * 3600 * 1000);
    await instance.changeLanguage('en');
    expect(document.cookie).toMatch(/^dreamloom_admin_lang=en; /);
  });
});
