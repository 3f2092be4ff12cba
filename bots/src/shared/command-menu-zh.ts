/**
 * The command menus in Chinese (简体中文): what Discord shows members whose client language is
 * zh-CN (`name_localizations` / `description_localizations`) and what Telegram shows members whose
 * app language is Chinese (`setMyCommands` with `language_code: 'zh'`). English is the default
 * everywhere, written next to each command. Replies are still English: the bots have no
 * translation layer for their messages yet.
 */
export interface LocalizedEntry {
  /** The localized name (Discord only; Telegram command names are fixed ASCII). */
  name?: string;
  description: string;
  /** Telegram's menu line, where it differs (Telegram has no subcommands to describe them). */
  telegram?: string;
  /** Options and subcommands, by their English name. */
  options?: Record<string, LocalizedEntry>;
}

const quality: LocalizedEntry = {
  name: '画质',
  description: '分辨率（720p/1080p）或模式（std/pro），视模型而定',
};

/** By English command name. */
export const COMMANDS_ZH: Record<string, LocalizedEntry> = {
  imagine: {
    name: '画图',
    description: '根据提示词生成动漫图片',
    options: {
      prompt: { name: '提示词', description: '要画什么' },
      ratio: { name: '比例', description: '宽高比（默认 1:1）' },
      count: { name: '数量', description: '生成几张（默认 1 张）' },
    },
  },
  video: {
    name: '视频',
    description: '根据提示词生成动漫短视频（可选首帧和尾帧）',
    options: {
      prompt: { name: '提示词', description: '视频里发生什么' },
      model: { name: '模型', description: '视频模型（默认 Kling 2.5）' },
      duration: { name: '时长', description: '秒数（默认为该模型最短的时长）' },
      ratio: { name: '比例', description: '宽高比' },
      quality,
      first_frame: { name: '首帧', description: '作为开头的图片' },
      last_frame: { name: '尾帧', description: '作为结尾的图片（需要首帧）' },
    },
  },
  story: {
    name: '故事',
    description: '与多个 AI 角色一起演绎故事',
    telegram: '演绎故事：list、start <编号>、say、regenerate、end',
    options: {
      list: { name: '列表', description: '列出已发布的故事，附简介和角色' },
      start: {
        name: '开始',
        description: '在新的子区中开始一个故事',
        options: { story: { name: '故事', description: '故事编号、ID 或标题' } },
      },
      regenerate: { name: '重写', description: '重新生成最后一条回复' },
      end: { name: '结束', description: '结束这个子区的故事（发起者或工作人员）' },
    },
  },
  balance: { name: '余额', description: '你的积分（MC）余额' },
  quote: {
    name: '报价',
    description: '生成视频需要多少 MC',
    options: {
      model: { name: '模型', description: '视频模型；留空则显示价目表' },
      duration: { name: '时长', description: '秒数' },
      quality,
    },
  },
  history: { name: '历史', description: '你最近的生成记录' },
  show: {
    name: '查看',
    description: '凭卡片上的短编号重新显示这张卡片',
    options: { id: { name: '编号', description: '卡片上的短编号（8 位，至少 6 位）' } },
  },
  help: { name: '帮助', description: '所有命令、价格以及积分的用法' },
  // Telegram only: the first message of a chat.
  start: { description: '这个机器人能做什么' },
};
