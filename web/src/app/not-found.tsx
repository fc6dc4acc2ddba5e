/** Any unknown address: the app's own page, with its header and a way back. */
import type { Metadata } from "next";
import Link from "next/link";

export const metadata: Metadata = { title: "Page not found" };

export default function NotFound() {
  return (
    <div className="flex min-h-dvh flex-col">
      <header className="border-b border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
        <div className="mx-auto flex max-w-7xl items-center gap-3 px-4 py-2.5">
          <Link href="/" className="text-lg font-semibold tracking-tight">
            Foto<span className="text-accent-600 dark:text-accent-300">AI</span>
          </Link>
        </div>
      </header>
      <main id="main" className="mx-auto w-full max-w-xl flex-1 px-4 py-16 text-center" data-testid="not-found">
        <h1 className="text-2xl font-semibold">This page does not exist</h1>
        <p className="mt-3 text-zinc-700 dark:text-zinc-300">The address may be mistyped, or the page has moved.</p>
        <p className="mt-6">
          <Link href="/" className="rounded-md bg-accent-600 px-4 py-2 font-medium text-white hover:bg-accent-500">
            Go to your photos
          </Link>
        </p>
      </main>
    </div>
  );
}
