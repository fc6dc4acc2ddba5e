"use client";
/**
 * Sharing an album by link: create one (optionally expiring), copy it, and see and revoke the
 * album's live links. A link's address is shown only when it is created (the gateway keeps
 * only a hash of its token).
 */

import { useState } from "react";
import { createLink, formatWhen, LINK_LIFETIMES, revokeLink, sharePageUrl, type CreatedLink, type ShareLink } from "@/lib/library";
import { ProblemMessage } from "../problem-message";
import { Modal } from "./modal";

const button = "rounded-md border border-zinc-300 px-3 py-1.5 text-sm font-medium hover:bg-zinc-100 disabled:opacity-60 dark:border-zinc-600 dark:hover:bg-zinc-800";

export function ShareDialog({
  open,
  onClose,
  albumId,
  title,
  links,
  onChanged,
}: {
  open: boolean;
  onClose: () => void;
  albumId: string;
  title: string;
  links: ShareLink[];
  onChanged: () => void;
}) {
  const [lifetime, setLifetime] = useState(0);
  const [created, setCreated] = useState<CreatedLink | null>(null);
  const [copied, setCopied] = useState(false);
  const [revoked, setRevoked] = useState<ReadonlySet<string>>(new Set());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const url = created ? sharePageUrl(created, typeof window === "undefined" ? "" : window.location.origin) : "";
  const live = links.filter((l) => !revoked.has(l.id));
  if (created && !revoked.has(created.id) && !live.some((l) => l.id === created.id)) {
    live.push({ id: created.id, expires_at: created.expires_at, created_at: new Date().toISOString() });
  }

  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal open={open} onClose={onClose} title={`Share “${title}”`} testId="share-dialog">
      <p className="text-sm text-zinc-700 dark:text-zinc-300">Anyone with the link can see this album’s photos, without signing in. Nothing else of yours.</p>
      <div className="mt-3 flex flex-wrap items-end gap-2">
        <label className="flex flex-col gap-1 text-sm">
          Link expires
          <select
            value={lifetime}
            onChange={(e) => setLifetime(Number(e.target.value))}
            className="rounded-md border border-zinc-300 bg-white px-2 py-1.5 dark:border-zinc-600 dark:bg-zinc-800"
          >
            {LINK_LIFETIMES.map((l, i) => (
              <option key={l.label} value={i}>
                {l.seconds ? `After ${l.label}` : "Never"}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          disabled={busy}
          className="rounded-md bg-accent-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-accent-500 disabled:opacity-60"
          onClick={() =>
            void run(async () => {
              const link = await createLink(albumId, LINK_LIFETIMES[lifetime].seconds);
              setCreated(link);
              setCopied(false);
              onChanged();
            })
          }
        >
          Create link
        </button>
      </div>
      {created && url ? (
        <div className="mt-3 rounded-lg border border-zinc-200 p-3 dark:border-zinc-700" data-testid="new-link">
          <label className="flex flex-col gap-1 text-sm">
            New link{created.expires_at ? ` (expires ${formatWhen(created.expires_at)})` : ""}
            <input readOnly value={url} onFocus={(e) => e.currentTarget.select()} data-testid="share-url" className="rounded-md border border-zinc-300 bg-zinc-50 px-2 py-1.5 font-mono text-xs dark:border-zinc-600 dark:bg-zinc-800" />
          </label>
          <div className="mt-2 flex items-center gap-2">
            <button
              type="button"
              className={button}
              onClick={async () => {
                try {
                  await navigator.clipboard.writeText(url);
                  setCopied(true);
                } catch {
                  // No clipboard permission: the address is selected for a manual copy.
                  document.querySelector<HTMLInputElement>('[data-testid="share-url"]')?.select();
                }
              }}
            >
              Copy link
            </button>
            <span role="status" className="text-sm text-emerald-700 dark:text-emerald-400">
              {copied ? "Copied" : ""}
            </span>
          </div>
        </div>
      ) : null}
      {error ? (
        <div className="mt-3">
          <ProblemMessage error={error} title="That did not work" />
        </div>
      ) : null}
      <h3 className="mt-4 text-sm font-medium">Links that work now</h3>
      {live.length === 0 ? (
        <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">None: the album is private.</p>
      ) : (
        <ul className="mt-1 space-y-1" data-testid="share-links">
          {live.map((l) => (
            <li key={l.id} className="flex items-center gap-2 rounded-md border border-zinc-200 px-3 py-1.5 text-sm dark:border-zinc-700">
              <span className="min-w-0 flex-1">
                Created {formatWhen(l.created_at) || "just now"} · {l.expires_at ? `expires ${formatWhen(l.expires_at)}` : "never expires"}
              </span>
              <button
                type="button"
                disabled={busy}
                className={`${button} text-red-700 dark:text-red-400`}
                onClick={() =>
                  void run(async () => {
                    await revokeLink(albumId, l.id);
                    setRevoked((r) => new Set([...r, l.id]));
                    onChanged();
                  })
                }
              >
                Revoke<span className="sr-only"> the link created {formatWhen(l.created_at) || "just now"}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </Modal>
  );
}
