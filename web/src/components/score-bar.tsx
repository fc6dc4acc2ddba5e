"use client";
/**
 * A tag's confidence bar that grows to its score (Framer Motion), loaded after first paint.
 */

import { domAnimation, LazyMotion, m, useReducedMotion } from "motion/react";

export default function ScoreBar({ score }: { score: number }) {
  const still = useReducedMotion();
  return (
    <LazyMotion features={domAnimation} strict>
      <m.div
        className="h-full rounded bg-accent-600"
        initial={still ? false : { width: 0 }}
        animate={{ width: `${Math.round(score * 100)}%` }}
        transition={{ duration: 0.5, ease: "easeOut" }}
      />
    </LazyMotion>
  );
}
