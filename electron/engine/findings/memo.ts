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

  /** Count `weight` more against the budget: what a remembered value has grown by since it was set. */
  charge(weight: number): void {
    this.chars += weight;
  }
}

/**
 * A BoundedMemo keyed by two strings (a field's name, then its value), kept as a map
 * of maps. The value strings handed in are mostly the same string objects request
 * after request (shared leaves, memoised headers), whose hash V8 keeps, so a lookup
 * costs two hashed probes; a key built by concatenating both would be a new string to
 * flatten and hash on every lookup. `group` may be null (values without a name).
 */
export class KeyedMemo<V> {
  private readonly groups = new Map<string | null, Map<string, V>>();
  private readonly budget: number;
  private chars = 0;

  /** `budget`: characters of keys (plus any extra weight given to set) before starting over. */
  constructor(budget = 1 << 20) {
    this.budget = budget;
  }

  /** The value remembered under (`group`, `key`), or undefined. */
  get(group: string | null, key: string): V | undefined {
    return this.groups.get(group)?.get(key);
  }

  /** Remember `value`; `weight` counts against the budget (default: both keys' length). */
  set(group: string | null, key: string, value: V, weight = (group?.length ?? 0) + key.length): void {
    if (this.chars + weight > this.budget) {
      this.groups.clear();
      this.chars = 0;
    }
    let g = this.groups.get(group);
    if (g === undefined) this.groups.set(group, (g = new Map()));
    g.set(key, value);
    this.chars += weight;
  }
}
