/**
 * Remembered results of per-value work in the findings pass (decoded header fields,
 * URLs read from a value, classifications): the same values come back request after
 * request, so most lookups hit. Memory stays bounded whatever the case holds: once the
 * remembered keys pass a character budget, everything is forgotten and the memo starts
 * over (values seen again are then worked out again, with the same result).
 */
export class BoundedMemo<V> {
  private readonly map = new Map<string, V>();
  private readonly budget: number;
  private chars = 0;

  /** `budget`: characters of keys (plus any extra weight given to set) before starting over. */
  constructor(budget = 1 << 20) {
    this.budget = budget;
  }

  /** The value remembered under `key`, or undefined. */
  get(key: string): V | undefined {
    return this.map.get(key);
  }

  /** Remember `value`; `weight` counts against the budget (default: the key's length). */
  set(key: string, value: V, weight = key.length): void {
    if (this.chars + weight > this.budget) {
      this.map.clear();
      this.chars = 0;
    }
    this.map.set(key, value);
    this.chars += weight;
  }
}
