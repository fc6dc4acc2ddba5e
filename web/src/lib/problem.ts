/**
 * RFC 9457 problem details: parsing gateway error bodies and turning them into sentences a
 * person can act on.
 */

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
}

/** An error answer from the gateway (or the web proxy), carrying its problem document. */
export class ApiError extends Error {
  readonly problem: Problem;
  readonly retryAfter: string | null;

  constructor(problem: Problem, retryAfter: string | null = null) {
    super(problem.detail || problem.title);
    this.name = "ApiError";
    this.problem = problem;
    this.retryAfter = retryAfter;
  }

  get status(): number {
    return this.problem.status;
  }
}

const STATUS_TITLES: Record<number, string> = {
  0: "Network error",
  400: "Bad request",
  401: "Not signed in",
  403: "Not allowed",
  404: "Not found",
  413: "File too large",
  415: "Not an image",
  429: "Too many requests",
  500: "Server error",
  502: "Gateway unreachable",
  503: "Service unavailable",
};

/** Builds a problem from any error answer, whether or not the body is problem+json. */
export function parseProblem(status: number, bodyText: string): Problem {
  const fallback: Problem = {
    type: "about:blank",
    title: STATUS_TITLES[status] ?? `HTTP ${status}`,
    status,
  };
  if (!bodyText) return fallback;
  try {
    const body: unknown = JSON.parse(bodyText);
    if (body && typeof body === "object") {
      const b = body as Record<string, unknown>;
      // FastAPI's default error shape ({"detail": ...}) can still reach us from a route the
      // gateway forgot to wrap; keep its message rather than dropping it.
      const detail =
        typeof b.detail === "string"
          ? b.detail
          : Array.isArray(b.detail)
            ? b.detail.map((d) => (d && typeof d === "object" && "msg" in d ? String(d.msg) : String(d))).join("; ")
            : undefined;
      return {
        type: typeof b.type === "string" ? b.type : fallback.type,
        title: typeof b.title === "string" ? b.title : fallback.title,
        status: typeof b.status === "number" ? b.status : status,
        detail,
      };
    }
  } catch {
    // Not JSON (an HTML error page from a proxy, say): fall through to the status text.
  }
  return { ...fallback, detail: bodyText.length <= 200 && !bodyText.trimStart().startsWith("<") ? bodyText.trim() : undefined };
}

/**
 * A server detail as a sentence, so advice can follow it: services often write terse lower-case
 * fragments ("this looks like text, not an image").
 */
export function asSentence(text: string): string {
  let s = text.trim();
  if (!s) return s;
  // Capitalise a plain leading word only; "text/plain …" or "x-file-name …" stay as written.
  if (/^[a-z]+(\s|,|$)/.test(s)) s = s[0].toUpperCase() + s.slice(1);
  return /[.!?…)]$/.test(s) ? s : `${s}.`;
}

/** What to tell the person, in words: the server's detail when it gave one. */
export function describeProblem(problem: Problem): string {
  if (problem.detail) return asSentence(problem.detail);
  switch (problem.status) {
    case 0:
      return "FotoAI could not be reached. Check your connection and try again.";
    case 401:
      return "Your session has ended. Sign in again.";
    case 403:
      return "Your account is not allowed to do this.";
    case 404:
      return "This photo does not exist, or it belongs to someone else.";
    case 413:
      return "The file is larger than FotoAI accepts.";
    case 415:
      return "This file is not an image FotoAI can read.";
    case 429:
      return "Too many requests right now. Wait a moment and try again.";
    default:
      return problem.status >= 500
        ? "FotoAI had a problem answering. Try again in a moment."
        : problem.title;
  }
}

/** A next step to suggest beside an error, where one exists. */
export function adviceFor(problem: Problem): string | null {
  switch (problem.status) {
    case 0:
    case 502:
    case 503:
      return "Check that the FotoAI stack is running, then retry.";
    case 401:
      return "Sign in again to continue.";
    case 413:
      return "Pick a smaller file, or export the photo at a lower resolution.";
    case 415:
      return "Use a JPEG, PNG, WebP, TIFF, HEIC or camera RAW file.";
    case 429:
      return "FotoAI will retry on its own after the wait the server asked for.";
    default:
      return problem.status >= 500 ? "Retry in a moment." : null;
  }
}
