"use client";
/** A page that failed to render: said in words, with a retry and a way home. */
import Link from "next/link";
import { useEffect } from "react";

export default function ErrorPage({ reset }: { error: Error; reset: () => void }) {
  useEffect(() => {
    document.title = "Something went wrong · FotoAI";
  }, []);
  return (
    <main id="main" className="mx-auto w-full max-w-xl px-4 py-16 text-center">
      <h1 className="text-2xl font-semibold">Something went wrong</h1>
      <p className="mt-3 text-zinc-700 dark:text-zinc-300">This page could not be shown. Your photos are safe.</p>
      <p className="mt-6 flex justify-center gap-3">
        <button type="button" onClick={reset} className="rounded-md bg-accent-600 px-4 py-2 font-medium text-white hover:bg-accent-500">
          Try again
        </button>
        <Link href="/" className="rounded-md border border-zinc-300 px-4 py-2 dark:border-zinc-700">
          Go to your photos
        </Link>
      </p>
    </main>
  );
}
