import { Edit, useForm } from '@refinedev/antd';
import type { HttpError } from '@refinedev/core';
import { AccountForm } from '../../components/jimeng-accounts/account-form';
import type { AccountUpdateInput, JimengAccount } from '../../components/jimeng-accounts/types';

export function JimengAccountEdit() {
  const { formProps, saveButtonProps, query, formLoading } = useForm<
    JimengAccount,
    HttpError,
    AccountUpdateInput
  >({
    action: 'edit',
    redirect: 'list',
  });
  const record = query?.data?.data;

  return (
    <Edit saveButtonProps={saveButtonProps} isLoading={formLoading && !record}>
      {record && <AccountForm formProps={formProps} record={record} />}
    </Edit>
  );
}
