/**
 * The browser transport for the upload queue: XMLHttpRequest, because it reports upload
 * progress, posting multipart `file` to the gateway through the web app's proxy.
 */

import type { TransportRequest, TransportResult } from "./upload-queue";
import { API_PREFIX } from "./api";
import { REQUEST_HEADER } from "./session";

export function xhrTransport(request: TransportRequest): Promise<TransportResult> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `${API_PREFIX}/v1/photos`);
    // The session cookie carries the token; the header marks the upload as this app's own.
    xhr.setRequestHeader(REQUEST_HEADER, "1");
    xhr.setRequestHeader("Idempotency-Key", request.idempotencyKey);
    xhr.setRequestHeader("Accept", "application/json, application/problem+json");
    xhr.upload.onprogress = (e) => request.onProgress(e.loaded, e.lengthComputable ? e.total : request.file.size);
    xhr.onload = () =>
      resolve({
        status: xhr.status,
        body: xhr.responseText,
        header: (name) => xhr.getResponseHeader(name),
      });
    xhr.onerror = () => reject(new Error("network error"));
    xhr.onabort = () => reject(new DOMException("aborted", "AbortError"));
    request.signal.addEventListener("abort", () => xhr.abort(), { once: true });
    const form = new FormData();
    form.append("file", request.file, request.file.name);
    xhr.send(form);
  });
}
