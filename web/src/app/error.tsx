"use client";
/**
 * A page that failed to render: said in words, with a "Try again" that asks the server again
 * (refresh, then re-render) and says so when it failed again, and a way home.
 */
import Link from "next/link";
import { useRouter } from "next/navigation";
import { startTransition, useEffect, useState } from "react";

export default function ErrorPage({ reset }: { error: Error; reset: () => void }) {
  const router = useRouter();
  const [tries, setTries] = useState(0);
  useEffect(() => {
    document.title = "Something went wrong · FotoAI";
  }, []);
  const retry = () => {
    setTries((n) => n + 1);
    // reset() alone re-renders what the server sent before; refresh asks it again.
    startTransition(() => {
      router.refresh();
      reset();
    });
  };
  return (
    <main id="main" className="mx-auto w-full max-w-xl px-4 py-16 text-center" data-testid="error-page">
      <h1 className="text-2xl font-semibold">Something went wrong</h1>
      <p className="mt-3 text-zinc-700 dark:text-zinc-300">
        This page could not be shown. Your photos are safe. Try again; if it keeps failing, reload the page, or check
        that the FotoAI stack is running.
      </p>
      {tries > 0 ? (
        <p className="mt-2 text-sm text-zinc-700 dark:text-zinc-300" role="status">
          Tried again {tries === 1 ? "once" : `${tries} times`}: it still did not work.
        </p>
      ) : null}
      <p className="mt-6 flex justify-center gap-3">
        <button type="button" onClick={retry} className="rounded-md bg-accent-600 px-4 py-2 font-medium text-white hover:bg-accent-500">
          Try again
        </button>
        <Link href="/" className="rounded-md border border-zinc-300 px-4 py-2 dark:border-zinc-700">
          Go to your photos
        </Link>
      </p>
    </main>
  );
}
