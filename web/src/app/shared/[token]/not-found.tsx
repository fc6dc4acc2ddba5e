/** A share link that does not (or no longer) work: revoked, expired, or mistyped. */
import type { Metadata } from "next";
import Link from "next/link";

export const metadata: Metadata = { title: "Link not working" };

export default function SharedNotFound() {
  return (
    <div className="flex min-h-dvh flex-col">
      <header className="border-b border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
        <div className="mx-auto flex max-w-7xl items-center gap-3 px-4 py-2.5">
          <span className="text-lg font-semibold tracking-tight">
            Foto<span className="text-accent-600 dark:text-accent-300">AI</span>
          </span>
        </div>
      </header>
      <main id="main" className="mx-auto w-full max-w-xl flex-1 px-4 py-16 text-center" data-testid="shared-not-found">
        <h1 className="text-2xl font-semibold">This link does not work</h1>
        <p className="mt-3 text-zinc-700 dark:text-zinc-300">
          The album’s owner may have stopped sharing it, or the link has expired. Ask them for a new link.
        </p>
        <p className="mt-6">
          <Link href="/signin" className="underline">
            Sign in to FotoAI
          </Link>
        </p>
      </main>
    </div>
  );
}
