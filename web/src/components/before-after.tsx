"use client";
/**
 * The before/after comparison: the original over the enhanced version, divided where the
 * person drags on the picture itself or moves the keyboard-operable Radix slider below it.
 */

import * as Slider from "@radix-ui/react-slider";
import { useRef, useState, type PointerEvent } from "react";

export interface ImageSource {
  src: string;
  srcSet?: string;
}

export function BeforeAfter({
  before,
  after,
  alt,
  aspect,
  sizes,
  initial = 50,
}: {
  before: ImageSource;
  after: ImageSource;
  alt: string;
  aspect: number;
  sizes?: string;
  initial?: number;
}) {
  const [position, setPosition] = useState(initial);
  const frame = useRef<HTMLDivElement>(null);
  const dragging = useRef(false);
  const moveTo = (e: PointerEvent<HTMLDivElement>) => {
    const box = frame.current?.getBoundingClientRect();
    if (!box || box.width === 0) return;
    setPosition(Math.round(Math.min(100, Math.max(0, ((e.clientX - box.left) / box.width) * 100))));
  };
  return (
    <figure data-testid="before-after">
      <div
        ref={frame}
        className="relative mx-auto w-full cursor-ew-resize touch-pan-y select-none overflow-hidden rounded-lg bg-zinc-200 dark:bg-zinc-800"
        style={{ aspectRatio: aspect, maxWidth: `calc(70vh * ${aspect})` }}
        data-testid="before-after-frame"
        onPointerDown={(e) => {
          dragging.current = true;
          e.currentTarget.setPointerCapture?.(e.pointerId);
          moveTo(e);
        }}
        onPointerMove={(e) => {
          if (dragging.current) moveTo(e);
        }}
        onPointerUp={() => {
          dragging.current = false;
        }}
        onPointerCancel={() => {
          dragging.current = false;
        }}
      >
        {/* eslint-disable-next-line @next/next/no-img-element */}
        <img src={after.src} srcSet={after.srcSet} sizes={sizes} alt={`${alt}, enhanced`} draggable={false} className="absolute inset-0 h-full w-full object-contain" />
        <div
          className="absolute inset-0"
          data-testid="before-layer"
          style={{ clipPath: `inset(0 ${100 - position}% 0 0)` }}
        >
          {/* eslint-disable-next-line @next/next/no-img-element */}
          <img src={before.src} srcSet={before.srcSet} sizes={sizes} alt={`${alt}, before enhancement`} draggable={false} className="absolute inset-0 h-full w-full object-contain" />
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
        Drag across the picture to compare the original with FotoAI&apos;s enhancement
        <span className="pointer-coarse:hidden"> (or move the divider with the arrow keys)</span>.
      </figcaption>
    </figure>
  );
}
