import { Button, Dropdown } from 'antd';
import { GlobalOutlined } from '@ant-design/icons';
import { useGetLocale, useSetLocale, useTranslate } from '@refinedev/core';
import { LANGUAGES } from '../i18n';

export function LanguageSwitch() {
  const locale = useGetLocale()();
  const setLocale = useSetLocale();
  const t = useTranslate();
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
