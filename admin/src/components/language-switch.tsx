import { Button, Dropdown } from 'antd';
import { GlobalOutlined } from '@ant-design/icons';
import { useSetLocale, useTranslate } from '@refinedev/core';
import { useTranslation } from 'react-i18next';
import { LANGUAGES } from '../i18n';

/**
 * The language menu. The label reads i18next's own language through react-i18next, which re-renders
 * on every switch; Refine's useGetLocale() kept the language of the first render until a reload.
 */
export function LanguageSwitch() {
  const { i18n } = useTranslation();
  const setLocale = useSetLocale();
  const t = useTranslate();
  const locale = i18n.resolvedLanguage ?? i18n.language;
  const current = LANGUAGES.find((l) => l.code === locale) ?? LANGUAGES[0];

  return (
    <Dropdown
      trigger={['click']}
      menu={{
        selectable: true,
        selectedKeys: [current.code],
        items: LANGUAGES.map((l) => ({ key: l.code, label: l.label })),
        onClick: ({ key }) => setLocale(key),
      }}
    >
      <Button
        type="text"
        icon={<GlobalOutlined />}
        aria-label={t('header.language')}
        data-testid="language-switch"
      >
        {current.label}
      </Button>
    </Dropdown>
  );
}
