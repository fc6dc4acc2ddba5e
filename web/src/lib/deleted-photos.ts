/**
 * Photos this browser has just deleted. Deletion is an event the catalog applies a moment later,
 * so a list fetched right after can still hold the photo: screens hide these ids meanwhile.
 */

const HIDE_FOR_MS = 10 * 60 * 1000;
const deleted = new Map<string, number>();
const listeners = new Set<() => void>();
let version = 0;

export function markDeleted(id: string, now = Date.now()): void {
  deleted.set(id, now + HIDE_FOR_MS);
  version += 1;
  for (const l of listeners) l();
}

export function isDeleted(id: string, now = Date.now()): boolean {
  const until = deleted.get(id);
  if (until === undefined) return false;
  if (until <= now) {
    deleted.delete(id);
    return false;
  }
  return true;
}

export function withoutDeleted<T extends { id: string }>(items: T[], now = Date.now()): T[] {
  return deleted.size ? items.filter((p) => !isDeleted(p.id, now)) : items;
}

export function subscribeDeleted(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function deletedVersion(): number {
  return version;
}
