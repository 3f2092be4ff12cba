export { JimengBatchList } from './list';
export { JimengBatchShow } from './show';
