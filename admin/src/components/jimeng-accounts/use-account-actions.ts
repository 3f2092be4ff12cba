import { useCustomMutation, useDeleteMany, useInvalidate, useTranslate, type BaseKey } from '@refinedev/core';
import { resourceActionUrl } from '../../providers/data-provider';
import { resourceApis } from '../../resources';
import type { JimengAccount } from './types';

const RESOURCE = 'jimeng_accounts';

/** Row actions beyond Refine's CRUD: reset status (contract 003 §5.5) and delete of a selection. */
export function useAccountActions() {
  const t = useTranslate();
  const invalidate = useInvalidate();
  const reset = useCustomMutation();
  const deleteMany = useDeleteMany();

  const refreshList = () => invalidate({ resource: RESOURCE, invalidates: ['list', 'many', 'detail'] });

  return {
    resetStatus: (account: Pick<JimengAccount, 'id' | 'jimeng_account'>) =>
      reset.mutate(
        {
          url: resourceActionUrl(resourceApis, RESOURCE, 'reset'),
          method: 'post',
          values: { id: account.id },
          successNotification: () => ({
            type: 'success',
            message: t('jimeng_accounts.actions.resetSuccess', { account: account.jimeng_account }),
          }),
          errorNotification: (error) => ({
            type: 'error',
            message: t('jimeng_accounts.actions.resetError', { account: account.jimeng_account }),
            description: error?.message,
          }),
        },
        { onSuccess: () => void refreshList() },
      ),
    resettingId: reset.mutation.isPending
      ? ((reset.mutation.variables?.values as { id?: BaseKey } | undefined)?.id ?? null)
      : null,

    deleteSelected: (ids: BaseKey[], onDone: () => void) =>
      deleteMany.mutate({ resource: RESOURCE, ids }, { onSuccess: onDone }),
    deletingSelected: deleteMany.mutation.isPending,
  };
}
