import type traceEn from './trace.en';

// 追踪页（从任意产出、记录、生成或图片追溯到全部相关信息）。
const traceZhCN: typeof traceEn = {
  trace: {
    trace: '追踪',
    title: '追踪',
    search: '追踪',
    placeholder: '媒体链接（/media/…、/api/v1/images/…）、记录 ID、生成 UUID 或图片 ID',
    hint: '粘贴产出链接或 ID，查看其任务、账号、费用、用户与操作审计。',
    notFound: '没有与该 ID 或链接匹配的内容（或属于其他员工）。',
    deleted: '已删除',
    unclassified: '未分类',
    noAudit: '没有员工操作涉及它。',
    creditsSummary: '扣除 {{charged}} MC · 退还 {{refunded}} MC · 净额 {{net}} MC',
    sections: {
      summary: '概要',
      timeline: '时间线',
      attempts: '执行位置',
      errors: '错误',
      audit: '员工操作',
    },
    fields: {
      matched: '匹配',
      task: '任务',
      source: '类型',
      status: '状态',
      prompt: '提示词',
      record: '即梦记录',
      credits: '积分',
      user: '用户',
      scope: '范围',
      attempts: '尝试次数',
      credential: '账号 / 密钥',
      error: '错误',
      when: '时间',
      who: '操作人',
      action: '操作',
      target: '对象',
    },
    kinds: {
      generation: '生成任务',
      jimeng_record: '即梦记录',
      nanobanana_image: 'NanoBanana 图片',
      media: '媒体文件',
    },
    events: {
      created: '创建',
      started: '开始',
      output: '产出',
      credits: '积分',
      finished: '结束',
      audit: '员工',
      record: '记录',
    },
    credentials: { pool: '号池账号', caller: '调用方密钥', service: '服务密钥' },
  },
};

export default traceZhCN;
