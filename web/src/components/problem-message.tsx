"use client";
/**
 * An error from the API shown in words, with what to do next and an optional retry button.
 */

import { adviceFor, ApiError, describeProblem, type Problem } from "@/lib/problem";

export function problemOf(error: unknown): Problem {
  if (error instanceof ApiError) return error.problem;
  return { type: "about:blank", title: "Unexpected error", status: 500, detail: error instanceof Error ? error.message : undefined };
}

export function ProblemMessage({ error, onRetry, title }: { error: unknown; onRetry?: () => void; title?: string }) {
  const problem = problemOf(error);
  const advice = adviceFor(problem);
  return (
    <div
      role="alert"
      className="rounded-lg border border-red-300 bg-red-50 p-4 text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100"
    >
      <p className="font-medium">{title ?? problem.title}</p>
      <p className="mt-1">{describeProblem(problem)}</p>
      {advice ? <p className="mt-1 text-sm">{advice}</p> : null}
      {onRetry ? (
        <button
          type="button"
          onClick={onRetry}
          className="mt-3 rounded-md bg-red-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-red-800"
        >
          Try again
        </button>
      ) : null}
    </div>
  );
}
