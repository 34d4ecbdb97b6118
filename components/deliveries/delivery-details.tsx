"use client";

import { UrlText } from "@/components/ui/url-text";
import { CopyButton } from "@/components/ui/copy-button";
import type { DeliveryView } from "@/components/webhooks/api";
import { exactTime, relativeTime } from "@/lib/client/format";

/** Everything about one delivery: what was sent, what came back, and every attempt. */
export function DeliveryDetails({ d }: { d: DeliveryView }) {
  const payload = JSON.stringify(d.payload, null, 2);
  return (
    <div className="space-y-5 text-sm">
      <dl className="grid grid-cols-1 gap-x-6 gap-y-2 sm:grid-cols-[max-content_1fr]">
        <dt className="text-slate-500">webhook-id</dt>
        <dd className="flex flex-wrap items-center gap-2">
          <code className="font-mono text-xs break-all" data-testid="delivery-message-id">
            {d.messageId}
          </code>
          <CopyButton value={d.messageId} label="Copy webhook-id" />
        </dd>
        <dt className="text-slate-500">Delivery</dt>
        <dd>
          <code className="font-mono text-xs break-all">{d.id}</code>
          {d.replayOf ? (
            <span className="ml-2 text-xs text-slate-500">
              replay of <code className="font-mono">{d.replayOf}</code>
            </span>
          ) : null}
        </dd>
        {d.eventId ? (
          <>
            <dt className="text-slate-500">Event</dt>
            <dd>
              <code className="font-mono text-xs break-all">{d.eventId}</code>
            </dd>
          </>
        ) : null}
        <dt className="text-slate-500">Sent to</dt>
        <dd className="font-mono text-xs">
          <UrlText url={d.url} />
        </dd>
        <dt className="text-slate-500">Created</dt>
        <dd>
          <time dateTime={d.createdAt}>{exactTime(d.createdAt)}</time>
        </dd>
        {d.error ? (
          <>
            <dt className="text-slate-500">Error</dt>
            <dd className="break-words text-red-700" data-testid="delivery-error">
              {d.error}
            </dd>
          </>
        ) : null}
      </dl>

      <section>
        <h3 className="font-medium text-slate-800">Attempts</h3>
        {d.attempts.length === 0 && d.status === "pending" ? (
          <p className="mt-1 text-slate-500">Not sent yet: the first attempt is on its way.</p>
        ) : d.attempts.length === 0 ? (
          <p className="mt-1 text-slate-500">No attempt was made.</p>
        ) : null}
        <ol className="mt-2 space-y-2 border-l-2 border-slate-200 pl-4" data-testid="attempt-timeline">
          {d.attempts.map((a) => {
            const ok = a.statusCode !== null && a.statusCode >= 200 && a.statusCode < 300 && !a.error;
            return (
              <li key={a.attempt} className="relative">
                <span
                  aria-hidden
                  className={`absolute top-1.5 -left-[1.4rem] h-2.5 w-2.5 rounded-full ${ok ? "bg-emerald-500" : "bg-red-500"}`}
                />
                <span className="font-medium">Attempt {a.attempt}</span>
                <span className="text-slate-500"> · </span>
                <time dateTime={a.at} title={exactTime(a.at)}>
                  {exactTime(a.at)}
                </time>
                <span className="text-slate-500"> · </span>
                <span className={ok ? "text-emerald-700" : "text-red-700"}>
                  {a.statusCode === null ? "no response" : `HTTP ${a.statusCode}`}
                </span>
                <span className="text-slate-500"> · {a.durationMs} ms</span>
                {a.error ? <p className="text-xs break-words text-red-700">{a.error}</p> : null}
              </li>
            );
          })}
          {d.status === "pending" && d.nextAttemptAt ? (
            <li className="relative text-amber-800">
              <span
                aria-hidden
                className="absolute top-1.5 -left-[1.4rem] h-2.5 w-2.5 rounded-full border-2 border-amber-500 bg-surface"
              />
              Next attempt{" "}
              <time dateTime={d.nextAttemptAt} title={exactTime(d.nextAttemptAt)}>
                {relativeTime(d.nextAttemptAt)}
              </time>
            </li>
          ) : null}
        </ol>
      </section>

      <section>
        <div className="flex flex-wrap items-center justify-between gap-2">
          <h3 className="font-medium text-slate-800">Payload sent</h3>
          <CopyButton value={payload} label="Copy payload" />
        </div>
        <pre
          data-testid="delivery-payload"
          tabIndex={0}
          role="group"
          aria-label="Payload sent (JSON)"
          className="mt-2 max-h-80 overflow-auto rounded-md bg-code p-3 font-mono text-xs text-code-text"
        >
          {payload}
        </pre>
      </section>

      <section>
        <h3 className="font-medium text-slate-800">Response</h3>
        {d.response ? (
          <div className="mt-2 space-y-2" data-testid="delivery-response">
            <p>
              Status{" "}
              <span
                className={`font-mono font-semibold ${d.response.status < 300 && d.response.status >= 200 ? "text-emerald-700" : "text-red-700"}`}
              >
                {d.response.status}
              </span>
              {d.durationMs !== null ? <span className="text-slate-500"> · {d.durationMs} ms</span> : null}
            </p>
            {Object.keys(d.response.headers).length > 0 ? (
              <details>
                <summary className="cursor-pointer text-slate-600">
                  Headers ({Object.keys(d.response.headers).length})
                </summary>
                <pre
                  tabIndex={0}
                  role="group"
                  aria-label="Response headers"
                  className="mt-1 max-h-60 overflow-auto rounded-md bg-slate-100 p-3 font-mono text-xs"
                >
                  {Object.entries(d.response.headers)
                    .map(([k, v]) => `${k}: ${v}`)
                    .join("\n")}
                </pre>
              </details>
            ) : null}
            <pre
              data-testid="delivery-response-body"
              tabIndex={0}
              role="group"
              aria-label="Response body"
              className="max-h-80 overflow-auto rounded-md bg-slate-100 p-3 font-mono text-xs break-all whitespace-pre-wrap"
            >
              {d.response.body === "" ? <span className="text-slate-500">(empty body)</span> : d.response.body}
            </pre>
            {d.response.bodyTruncated ? (
              <p className="text-xs text-slate-500">The body was truncated to the first 16 KiB.</p>
            ) : null}
          </div>
        ) : (
          <p className="mt-1 text-slate-500">
            {d.status === "pending" ? "No response yet." : "No HTTP response was received (see the error above)."}
          </p>
        )}
      </section>
    </div>
  );
}
