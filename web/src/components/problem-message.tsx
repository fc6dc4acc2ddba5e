"use client";
/**
 * An error from the API shown in words, with what to do next and, where trying again can help,
 * a "Try again" that really asks again: it says it is trying, and says so when it failed again.
 */

import Link from "next/link";
import { useState } from "react";
import { adviceFor, ApiError, describeProblem, type Problem } from "@/lib/problem";

export function problemOf(error: unknown): Problem {
  if (error instanceof ApiError) return error.problem;
  return { type: "about:blank", title: "Unexpected error", status: 500, detail: error instanceof Error ? error.message : undefined };
}

/** Whether asking again can help: not for what the request itself got wrong (4xx but 408/429). */
export function retryable(problem: Problem): boolean {
  return problem.status === 0 || problem.status === 408 || problem.status === 429 || problem.status >= 500;
}

export function ProblemMessage({ error, onRetry, title, home = false }: { error: unknown; onRetry?: () => unknown; title?: string; home?: boolean }) {
  const problem = problemOf(error);
  const advice = adviceFor(problem);
  const [trying, setTrying] = useState(false);
  const [tries, setTries] = useState(0);
  const retry = async () => {
    if (!onRetry || trying) return;
    setTrying(true);
    try {
      await onRetry();
    } finally {
      setTrying(false);
      setTries((n) => n + 1);
    }
  };
  return (
    <div
      role="alert"
      data-testid="problem"
      data-status={problem.status}
      className="rounded-lg border border-red-300 bg-red-50 p-4 text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100"
    >
      <p className="font-medium">{title ?? problem.title}</p>
      <p className="mt-1">{describeProblem(problem)}</p>
      {advice ? <p className="mt-1 text-sm">{advice}</p> : null}
      {tries > 0 && !trying ? (
        <p className="mt-1 text-sm" data-testid="retry-note">
          Tried again {tries === 1 ? "once" : `${tries} times`}: it still did not work.
          {tries >= 2 ? " Wait a minute before the next try, or reload the page." : ""}
        </p>
      ) : null}
      <p className="mt-3 flex flex-wrap items-center gap-3">
        {problem.status === 401 ? (
          <Link href="/signin" className="rounded-md bg-red-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-red-800">
            Sign in again
          </Link>
        ) : onRetry && retryable(problem) ? (
          <button
            type="button"
            onClick={() => void retry()}
            disabled={trying}
            aria-busy={trying}
            className="rounded-md bg-red-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-red-800 disabled:opacity-70"
          >
            {trying ? "Trying again…" : "Try again"}
          </button>
        ) : null}
        {home ? (
          <Link href="/" className="text-sm underline">
            Go to your photos
          </Link>
        ) : null}
      </p>
    </div>
  );
}
