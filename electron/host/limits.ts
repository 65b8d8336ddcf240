/** Limits of the web host that the CLI needs without loading the host itself. */

/** Largest upload accepted by default (8 GiB); `telltale serve --max-upload` changes it. */
export const DEFAULT_MAX_UPLOAD = 8 * 1024 ** 3;
