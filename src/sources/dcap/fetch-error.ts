/** CollateralFetch errors: one constructor per failure (src/sources/http.ts). */
export { fetchError, type FetchFailure } from '../http.js';
