import { useState } from 'react';
import { Tabs } from 'antd';
import { Create, useForm } from '@refinedev/antd';
import { useTranslate, type HttpError } from '@refinedev/core';
import { AccountForm } from '../../components/jimeng-accounts/account-form';
import { BulkAddForm } from '../../components/jimeng-accounts/bulk-add-form';
import type { AccountCreateInput, JimengAccount } from '../../components/jimeng-accounts/types';

/** Add accounts: paste many at once (the usual case) or fill in one with the shared form. */
export function JimengAccountCreate() {
  const t = useTranslate();
  const [tab, setTab] = useState<'bulk' | 'single'>('bulk');
  const { formProps, saveButtonProps } = useForm<JimengAccount, HttpError, AccountCreateInput>({
    action: 'create',
    redirect: 'list',
  });

  return (
    <Create
      saveButtonProps={saveButtonProps}
      // The bulk tab has its own submit button and result; the card footer is for the single form.
      footerButtons={({ defaultButtons }) => (tab === 'single' ? defaultButtons : null)}
      contentProps={tab === 'bulk' ? { styles: { actions: { display: 'none' } } } : undefined}
    >
      <Tabs
        activeKey={tab}
        onChange={(key) => setTab(key as 'bulk' | 'single')}
        items={[
          { key: 'bulk', label: t('jimeng_accounts.tabs.bulk'), children: <BulkAddForm /> },
          {
            key: 'single',
            label: t('jimeng_accounts.tabs.single'),
            children: <AccountForm formProps={formProps} />,
            forceRender: true,
          },
        ]}
      />
    </Create>
  );
}
