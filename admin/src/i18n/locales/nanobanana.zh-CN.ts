import type nanobananaEn from './nanobanana.en';

// 合同 004（NanoBanana）图库的中文文案；键与 nanobanana.en.ts 一致。
const nanobananaZhCN: typeof nanobananaEn = {
  nanobanana_tasks: {
    nanobanana_tasks: 'NanoBanana 图库',
    titles: { list: 'NanoBanana 图库', show: 'NanoBanana 任务' },
    searchPlaceholder: '搜索提示词（中文或英文）',
    fields: {
      prompt: '提示词',
      model: '模型',
      status: '状态',
      progress: '已完成',
      images: '图片',
      createdAt: '创建时间',
      errorMessage: '错误信息',
      options: '选项',
    },
    status: { processing: '生成中', completed: '已完成', failed: '失败', partial: '部分完成' },
    actions: {
      exportSelected: '导出 ZIP（{{count}}）',
      deleteSelected: '删除所选（{{count}}）',
      deleteImage: '删除图片',
      download: '下载',
      selectAll: '全选',
    },
    messages: {
      exported: 'ZIP 已下载',
      imageDeleted: '图片已删除',
      tasksDeleted: '已删除 {{count}} 个任务',
      noImages: '暂无图片',
      confirmDeleteImage: '确定删除这张图片吗？删除后不可恢复。',
      confirmDeleteTasks: '确定删除所选任务及其全部图片吗？',
    },
  },
};

export default nanobananaZhCN;
