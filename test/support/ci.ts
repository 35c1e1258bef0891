/**
 * Whether the tests run under CI (`CI` set to anything but empty, `false` or
 * `0`). Under CI, a suite whose prerequisite is missing (Chromium,
 * PostgreSQL, the build) fails instead of being skipped, so that no CI run
 * can pass by skipping.
 */
export const CI = process.env['CI'] !== undefined && process.env['CI'] !== '' && process.env['CI'] !== 'false' && process.env['CI'] !== '0';
