/** Coded failures of the provenance module: the class follows from the code (errors.ts `fail`). */
export { fail as provenanceFail } from '../errors.js';
