export { JimengRecordList } from './list';
export { JimengRecordShow } from './show';
