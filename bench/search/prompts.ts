/**
 * Deterministic, realistic image prompts: Chinese (60%), English (30%) and mixed (10%), built
 * from the subjects, styles, scenes and details people actually type into image generators.
 */
const ZH = {
  subject: [
    '一个穿着红色衣服的女孩',
    '一只可爱的猫咪',
    '白发的老人',
    '穿汉服的少女',
    '赛博朋克风格的武士',
    '一条金色的龙',
    '戴眼镜的程序员',
    '奔跑的小狗',
    '古老的城堡',
    '穿西装的男人',
    '机器人',
    '小女孩和她的猫',
    '宇航员',
    '骑士',
    '狐狸精灵',
    '熊猫',
    '樱花树下的学生',
    '魔法师',
    '海盗船长',
    '咖啡店的店员',
    '雪山上的狼',
    '一群鲸鱼',
  ],
  action: ['站在', '走在', '坐在', '奔跑在', '睡在', '漂浮在', '躲在', '飞过', '仰望着', '守护着'],
  scene: [
    '森林里',
    '花园里',
    '夕阳下的海边',
    '雨夜的东京街头',
    '未来城市的天台',
    '古镇的小巷',
    '雪地里',
    '沙漠中',
    '星空下',
    '图书馆里',
    '樱花盛开的公园',
    '霓虹灯下的酒吧',
    '竹林深处',
    '云海之上',
    '办公室里',
    '地铁站',
  ],
  style: [
    '油画风格',
    '水彩画',
    '写实摄影',
    '动漫风格',
    '赛博朋克',
    '国风水墨',
    '像素艺术',
    '皮克斯3D',
    '吉卜力风格',
    '电影质感',
    '素描',
    '写实绘画',
    '浮世绘',
    '蒸汽朋克',
    '极简主义',
    '超现实主义',
  ],
  detail: [
    '细节丰富',
    '柔和的光线',
    '高清8K',
    '景深效果',
    '电影级构图',
    '暖色调',
    '冷色调',
    '逆光',
    '黄金时刻',
    '广角镜头',
    '特写',
    '对称构图',
    'vlog封面',
    '梦幻氛围',
    '胶片颗粒',
  ],
};
const EN = {
  subject: [
    'a beautiful girl',
    'a cute cat',
    'an old fisherman',
    'a samurai warrior',
    'a golden dragon',
    'a tiny robot',
    'a corgi puppy',
    'an ancient castle',
    'a young wizard',
    'a lonely astronaut',
    'a fox spirit',
    'a red panda',
    'a street musician',
    'a knight in armor',
    'a mermaid',
    'a steampunk airship',
    'a girl with her cat',
  ],
  action: [
    'standing in',
    'walking through',
    'sitting in',
    'flying over',
    'sleeping in',
    'dancing in',
    'hiding in',
  ],
  scene: [
    'a misty forest',
    'a flower garden',
    'a neon cyberpunk city',
    'a snowy mountain',
    'a cozy library',
    'the desert at sunset',
    'a rainy street',
    'outer space',
    'a cherry blossom park',
    'an underwater kingdom',
  ],
  style: [
    'oil painting',
    'watercolor',
    'photorealistic',
    'anime style',
    'cyberpunk',
    'studio ghibli style',
    'pixel art',
    'concept art',
    'cinematic',
    'pencil sketch',
    'ukiyo-e',
    'low poly',
    'vaporwave',
  ],
  detail: [
    'highly detailed',
    'soft lighting',
    '8k',
    'bokeh',
    'golden hour',
    'volumetric light',
    'wide angle',
    'close-up portrait',
    'trending on artstation',
    'dramatic shadows',
    'pastel colors',
    'vlog thumbnail',
  ],
};

/** Small deterministic PRNG (mulberry32) so every run inserts the same corpus. */
export function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function promptGenerator(seed = 42) {
  const next = random(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)]!;
  const zh = () =>
    `${pick(ZH.subject)}${pick(ZH.action)}${pick(ZH.scene)}，${pick(ZH.style)}，${pick(ZH.detail)}${next() < 0.5 ? `，${pick(ZH.detail)}` : ''}`;
  const en = () =>
    `${pick(EN.subject)} ${pick(EN.action)} ${pick(EN.scene)}, ${pick(EN.style)}, ${pick(EN.detail)}${next() < 0.5 ? `, ${pick(EN.detail)}` : ''}`;
  const mixed = () =>
    `${pick(ZH.subject)}${pick(ZH.action)}${pick(ZH.scene)}, ${pick(EN.style)}, ${pick(EN.detail)}`;
  return () => {
    const roll = next();
    return roll < 0.6 ? zh() : roll < 0.9 ? en() : mixed();
  };
}

/** Queries: common and rare, one/two-character Chinese, English, mixed, multi-word. */
export const QUERIES = [
  '女孩',
  '猫',
  '龙',
  '油画',
  '油画女孩',
  '写实绘画',
  '赛博朋克',
  '樱花',
  '城堡 森林',
  '熊猫',
  '夕阳',
  'vlog',
  '油画vlog',
  'cat',
  'girl',
  'cyberpunk city',
  'oil painting',
  'dragon',
  'astronaut',
  'watercolor garden',
  'samurai',
  'ghibli',
  '宇航员',
  '水墨',
  '机器人 city',
];
