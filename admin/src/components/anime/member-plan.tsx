import { useState } from 'react';
import { App, Button, Drawer, Popconfirm, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { CrownOutlined, HistoryOutlined, SwapOutlined } from '@ant-design/icons';
import { useCustom, useCustomMutation, useInvalidate, useTranslate } from '@refinedev/core';
import { DateTime } from '../date-time';
import { ANIME_PATHS, userPlanPath, type PlanChange } from '../../providers/anime-data-provider';
import { isMemberPlan, otherPlan, planOfRole, type MemberPlan } from './plan-rules';

const RESOURCE = 'anime_users';

/** The plan as a tag: Pro in gold with a crown, Free plain. */
export function PlanTag({ plan }: { plan: MemberPlan }) {
  const t = useTranslate();
  return plan === 'pro' ? (
    <Tag color="gold" icon={<CrownOutlined />}>
      {t(`${RESOURCE}.plan.plans.pro`)}
    </Tag>
  ) : (
    <Tag>{t(`${RESOURCE}.plan.plans.free`)}</Tag>
  );
}

/**
 * The users list's plan cell: members get their plan, a switch (asks first, then
 * `PUT .../users/{id}/plan` and the list reloads) and their plan history; staff and admin accounts
 * show their role and nothing to switch.
 */
export function MemberPlanCell({
  userId,
  role,
  userLabel,
}: {
  userId: string;
  role: string;
  userLabel: string;
}) {
  const t = useTranslate();
  const plan = planOfRole(role);
  if (!plan)
    return (
      <Tooltip title={t(`${RESOURCE}.plan.noPlan`)}>
        <Tag data-testid={`plan-${userId}`}>{t(`${RESOURCE}.roles.${role}`, role)}</Tag>
      </Tooltip>
    );
  return (
    <Space size={4} wrap data-testid={`plan-${userId}`}>
      <PlanTag plan={plan} />
      <PlanSwitch userId={userId} plan={plan} userLabel={userLabel} />
      <PlanHistoryButton userId={userId} userLabel={userLabel} />
    </Space>
  );
}

function PlanSwitch({ userId, plan, userLabel }: { userId: string; plan: MemberPlan; userLabel: string }) {
  const t = useTranslate();
  const { message } = App.useApp();
  const invalidate = useInvalidate();
  const { mutate, mutation } = useCustomMutation<{ user_id: string; plan: MemberPlan }>();
  const target = otherPlan(plan);

  const submit = () =>
    mutate(
      {
        url: userPlanPath(userId),
        method: 'put',
        dataProviderName: 'anime',
        values: { plan: target },
        errorNotification: (error) => ({
          type: 'error',
          message: t(`${RESOURCE}.plan.failed`),
          description: error?.message,
        }),
      },
      {
        onSuccess: () => {
          message.success(
            t(`${RESOURCE}.plan.done`, { user: userLabel, plan: t(`${RESOURCE}.plan.plans.${target}`) }),
          );
          void invalidate({ resource: RESOURCE, invalidates: ['list', 'detail'], id: userId });
        },
        // A refusal (e.g. the account became staff meanwhile) may mean the row is stale.
        onError: () => void invalidate({ resource: RESOURCE, invalidates: ['list'] }),
      },
    );

  return (
    <Popconfirm
      title={t(`${RESOURCE}.plan.confirmTitle.${target}`, { user: userLabel })}
      description={t(`${RESOURCE}.plan.confirmHelp.${target}`)}
      okText={t(`${RESOURCE}.plan.confirm`)}
      cancelText={t('buttons.cancel')}
      onConfirm={submit}
    >
      <Button
        size="small"
        icon={<SwapOutlined />}
        loading={mutation.isPending}
        data-testid={`plan-switch-${userId}`}
      >
        {t(`${RESOURCE}.plan.switchTo.${target}`)}
      </Button>
    </Popconfirm>
  );
}

/** "Plan history": a drawer listing the member's plan changes, newest first (who, when, from → to). */
export function PlanHistoryButton({ userId, userLabel }: { userId: string; userLabel: string }) {
  const t = useTranslate();
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button
        size="small"
        type="link"
        icon={<HistoryOutlined />}
        onClick={() => setOpen(true)}
        data-testid={`plan-history-${userId}`}
      >
        {t(`${RESOURCE}.plan.history`)}
      </Button>
      <Drawer
        open={open}
        onClose={() => setOpen(false)}
        title={t(`${RESOURCE}.plan.historyTitle`, { user: userLabel })}
        width="min(560px, 100vw)"
        destroyOnHidden
      >
        <PlanHistory userId={userId} />
      </Drawer>
    </>
  );
}

function PlanHistory({ userId }: { userId: string }) {
  const t = useTranslate();
  const { query } = useCustom<PlanChange[]>({
    url: ANIME_PATHS.planChanges,
    method: 'get',
    dataProviderName: 'anime',
    config: { query: { user_id: userId, limit: 200 } },
  });
  const planText = (value: string) => (isMemberPlan(value) ? t(`${RESOURCE}.plan.plans.${value}`) : value);
  return (
    <Table<PlanChange>
      dataSource={query.data?.data ?? []}
      loading={query.isLoading}
      rowKey="id"
      size="small"
      pagination={{ pageSize: 20, hideOnSinglePage: true }}
      scroll={{ x: 'max-content' }}
      locale={{ emptyText: t(`${RESOURCE}.plan.empty`) }}
      data-testid="plan-history"
    >
      <Table.Column<PlanChange>
        dataIndex="created_at"
        title={t(`${RESOURCE}.plan.when`)}
        render={(value: string) => <DateTime value={value} />}
      />
      <Table.Column<PlanChange>
        dataIndex="changed_by"
        title={t(`${RESOURCE}.plan.by`)}
        render={(id: string, change) =>
          change.changed_by_name ?? (
            <Typography.Text code copyable={{ text: id }}>
              {id.slice(0, 8)}
            </Typography.Text>
          )
        }
      />
      <Table.Column<PlanChange>
        key="change"
        title={t(`${RESOURCE}.plan.change`)}
        render={(_, change) => `${planText(change.old_plan)} → ${planText(change.new_plan)}`}
      />
    </Table>
  );
}
