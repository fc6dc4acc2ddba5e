"use client";
/**
 * Several photos at once, as in the gallery: click a checkbox, shift-click a range, Space on a
 * focused card.
 */

import { useCallback, useMemo, useState } from "react";
import type { GridSelection } from "../photo-grid";

export function useSelection(ids: readonly string[]): { grid: GridSelection; selectedIds: string[]; clear: () => void } {
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [anchor, setAnchor] = useState<number | null>(null);
  const toggle = useCallback(
    (index: number, range: boolean) => {
      const id = ids[index];
      if (!id) return;
      setSelected((current) => {
        const out = new Set(current);
        if (range && anchor !== null) {
          const [a, b] = anchor < index ? [anchor, index] : [index, anchor];
          for (const other of ids.slice(a, b + 1)) out.add(other);
        } else if (out.has(id)) out.delete(id);
        else out.add(id);
        return out;
      });
      setAnchor(index);
    },
    [ids, anchor],
  );
  const clear = useCallback(() => setSelected(new Set()), []);
  const selectedIds = useMemo(() => ids.filter((id) => selected.has(id)), [ids, selected]);
  return { grid: { ids: selected, toggle }, selectedIds, clear };
}

/** Moves the focus to the view's heading once it is there (after a client-side navigation). */
export function focusHeading(el: HTMLElement | null): void {
  if (el && !el.dataset.focused) {
    el.dataset.focused = "1";
    el.focus({ preventScroll: true });
  }
}
