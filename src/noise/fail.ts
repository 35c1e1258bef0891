/** Coded failures of the Noise channel (src/noise/): the class follows from the code (errors.ts `fail`). */
export { fail as noiseFail } from '../errors.js';
