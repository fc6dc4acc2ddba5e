"use client";
/**
 * A confirmation before something drastic (delete, empty the trash): a Radix alert dialog whose
 * confirm button shows progress, and which stays open with the problem in words when the action
 * fails. `onConfirm` resolving closes it.
 */

import * as AlertDialog from "@radix-ui/react-alert-dialog";
import { useState, type ReactElement, type ReactNode } from "react";
import { ProblemMessage } from "./problem-message";

export const DANGER_BUTTON =
  "rounded-md border border-red-300 px-3 py-1.5 text-sm font-medium text-red-700 hover:bg-red-50 dark:border-red-800 dark:text-red-400 dark:hover:bg-red-950";

export function ConfirmDialog({
  trigger,
  title,
  description,
  confirmLabel,
  busyLabel,
  cancelLabel = "Cancel",
  errorTitle,
  onConfirm,
  onOpenChange,
}: {
  /** The button that opens the dialog (rendered as Radix's trigger, asChild). */
  trigger: ReactElement;
  title: ReactNode;
  description: ReactNode;
  confirmLabel: string;
  busyLabel: string;
  cancelLabel?: string;
  /** Heading of the problem shown when `onConfirm` throws. */
  errorTitle: string;
  onConfirm: () => Promise<void>;
  onOpenChange?: (open: boolean) => void;
}) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const change = (o: boolean) => {
    setOpen(o);
    if (!o) setError(null);
    onOpenChange?.(o);
  };
  return (
    <AlertDialog.Root open={open} onOpenChange={change}>
      <AlertDialog.Trigger asChild>{trigger}</AlertDialog.Trigger>
      <AlertDialog.Portal>
        <AlertDialog.Overlay className="fixed inset-0 z-40 bg-black/50" />
        <AlertDialog.Content className="fixed left-1/2 top-1/2 z-50 w-[min(92vw,28rem)] -translate-x-1/2 -translate-y-1/2 rounded-xl bg-white p-5 shadow-xl dark:bg-zinc-900">
          <AlertDialog.Title className="text-lg font-semibold">{title}</AlertDialog.Title>
          <AlertDialog.Description className="mt-2 text-sm text-zinc-700 dark:text-zinc-300">{description}</AlertDialog.Description>
          {error ? (
            <div className="mt-3">
              <ProblemMessage error={error} title={errorTitle} />
            </div>
          ) : null}
          <div className="mt-5 flex justify-end gap-2">
            <AlertDialog.Cancel asChild>
              <button type="button" className="rounded-md border border-zinc-300 px-3 py-1.5 text-sm dark:border-zinc-700">
                {cancelLabel}
              </button>
            </AlertDialog.Cancel>
            <button
              type="button"
              disabled={busy}
              onClick={async () => {
                setBusy(true);
                setError(null);
                try {
                  await onConfirm();
                  change(false);
                } catch (err) {
                  setError(err);
                } finally {
                  setBusy(false);
                }
              }}
              className="rounded-md bg-red-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-red-800 disabled:opacity-60"
            >
              {busy ? busyLabel : confirmLabel}
            </button>
          </div>
        </AlertDialog.Content>
      </AlertDialog.Portal>
    </AlertDialog.Root>
  );
}
