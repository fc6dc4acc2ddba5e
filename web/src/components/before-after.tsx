"use client";
/**
 * The before/after slider: the original (display rendition) over the enhanced one, with a
 * keyboard-operable Radix slider moving the divide.
 */

import * as Slider from "@radix-ui/react-slider";
import { useState } from "react";

export function BeforeAfter({
  before,
  after,
  alt,
  aspect,
  initial = 50,
}: {
  before: string;
  after: string;
  alt: string;
  aspect: number;
  initial?: number;
}) {
  const [position, setPosition] = useState(initial);
  return (
    <figure>
      <div
        className="relative mx-auto w-full overflow-hidden rounded-lg bg-zinc-200 dark:bg-zinc-800"
        style={{ aspectRatio: aspect, maxWidth: `calc(70vh * ${aspect})` }}
      >
        {/* eslint-disable-next-line @next/next/no-img-element */}
        <img src={after} alt={`${alt}, enhanced`} className="absolute inset-0 h-full w-full object-contain" />
        <div
          className="absolute inset-0"
          data-testid="before-layer"
          style={{ clipPath: `inset(0 ${100 - position}% 0 0)` }}
        >
          {/* eslint-disable-next-line @next/next/no-img-element */}
          <img src={before} alt={`${alt}, before enhancement`} className="absolute inset-0 h-full w-full object-contain" />
        </div>
        <div aria-hidden="true" className="absolute inset-y-0 w-0.5 bg-white shadow" style={{ left: `${position}%` }} />
        <span className="absolute left-2 top-2 rounded bg-zinc-900/80 px-1.5 py-0.5 text-xs text-white">Before</span>
        <span className="absolute right-2 top-2 rounded bg-zinc-900/80 px-1.5 py-0.5 text-xs text-white">After</span>
      </div>
      <Slider.Root
        className="relative mt-3 flex h-5 w-full touch-none select-none items-center"
        value={[position]}
        min={0}
        max={100}
        step={1}
        onValueChange={([v]) => setPosition(v)}
        data-testid="before-after-slider"
      >
        <Slider.Track className="relative h-1 grow rounded bg-zinc-300 dark:bg-zinc-700">
          <Slider.Range className="absolute h-full rounded bg-accent-600" />
        </Slider.Track>
        <Slider.Thumb
          aria-label="Before and after divider"
          aria-valuetext={`${position}% before`}
          className="block h-5 w-5 rounded-full border-2 border-accent-600 bg-white shadow"
        />
      </Slider.Root>
      <figcaption className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
        Drag or use the arrow keys to compare the original with FotoAI&apos;s enhancement.
      </figcaption>
    </figure>
  );
}
