/**
 * Nearest-rank percentile of numbers (sorted in place).
 * @param {number[] | Float64Array} values
 * @param {number} p between 0 and 100
 */
export function percentile(values, p) {
  if (values.length === 0) return Number.NaN;
  values.sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * values.length);
  return /** @type {number} */ (values[Math.min(values.length, Math.max(1, rank)) - 1]);
}

/** @param {number} ms */
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
