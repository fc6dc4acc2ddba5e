"use client";
/**
 * A modal dialog on the browser's own <dialog> (focus trapped, Escape closes, the page behind
 * inert), titled for screen readers; the focus goes back to what opened it when it closes.
 */

import { useEffect, useId, useRef, type ReactNode } from "react";

export function Modal({ open, onClose, title, children, testId }: { open: boolean; onClose: () => void; title: string; children: ReactNode; testId?: string }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    if (open && !el.open) {
      const opener = document.activeElement as HTMLElement | null;
      el.showModal?.();
      return () => {
        // Closed first: while the modal is open the rest of the page is inert.
        if (el.open) el.close();
        opener?.focus?.();
      };
    }
    if (!open && el.open) el.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      data-testid={testId}
      onClose={onClose}
      onClick={(e) => {
        // A click on the backdrop (the dialog element itself, outside its content) closes it.
        if (e.target === e.currentTarget) onClose();
      }}
      className="m-auto w-[min(92vw,30rem)] rounded-xl bg-white p-0 text-zinc-900 shadow-xl backdrop:bg-black/50 dark:bg-zinc-900 dark:text-zinc-100"
    >
      {open ? (
        <div className="p-5">
          <div className="flex items-start gap-3">
            <h2 id={titleId} className="flex-1 text-lg font-semibold">
              {title}
            </h2>
            <button type="button" onClick={onClose} className="rounded px-2 text-sm underline">
              Close<span className="sr-only"> “{title}”</span>
            </button>
          </div>
          <div className="mt-3">{children}</div>
        </div>
      ) : null}
    </dialog>
  );
}
