/** Vitest setup: jest-dom matchers, DOM cleanup between tests. */
import "@testing-library/jest-dom/vitest";
import { cleanup } from "@testing-library/react";
import { afterEach } from "vitest";

afterEach(() => cleanup());

// SWR settles state from timers and promises the tests wait on with waitFor; React's act
// warnings about those updates are noise, everything else still reaches the console.
const originalError = console.error;
console.error = (...args: unknown[]) => {
  if (typeof args[0] === "string" && args[0].includes("not wrapped in act(")) return;
  originalError(...args);
};
