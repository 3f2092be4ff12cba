export { JimengAccountList } from './list';
export { JimengAccountCreate } from './create';
export { JimengAccountEdit } from './edit';
