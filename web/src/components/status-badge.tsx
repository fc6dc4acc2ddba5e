/**
 * A photo's status in words: ready, still processing, partly processed (some stage failed after
 * its retries: which ones), or rejected.
 */

import type { PhotoStatus } from "@/lib/photos";

const STYLE: Record<PhotoStatus, string> = {
  ready: "bg-emerald-100 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200",
  processing: "bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-200",
  degraded: "bg-orange-100 text-orange-900 dark:bg-orange-950 dark:text-orange-200",
  rejected: "bg-red-100 text-red-900 dark:bg-red-950 dark:text-red-200",
};

export function statusWords(status: PhotoStatus, failed: string[] = []): string {
  switch (status) {
    case "ready":
      return "Ready";
    case "processing":
      return "Processing";
    case "degraded":
      return failed.length ? `Ready without ${failed.join(" and ")}` : "Partly processed";
    case "rejected":
      return "Rejected";
    default:
      return String(status);
  }
}

export function StatusBadge({ status, failed = [], small = false }: { status: PhotoStatus; failed?: string[]; small?: boolean }) {
  return (
    <span
      className={`rounded ${small ? "px-1.5 py-0.5 text-xs" : "px-2 py-0.5 text-sm font-medium"} ${STYLE[status] ?? STYLE.processing}`}
      data-testid="photo-status"
      data-status={status}
    >
      {statusWords(status, failed)}
    </span>
  );
}
