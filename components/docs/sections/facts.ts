import { formatMs, retryRows, retryWindowHours, type DocsSettings } from "@/lib/docs/facts";

/** What the protocol page's sections share: this deployment's settings and the figures derived from them. */
export type ProtocolFacts = {
  s: DocsSettings;
  rows: ReturnType<typeof retryRows>;
  attempts: number;
  windowHours: string;
  timeout: string;
};

export function protocolFacts(s: DocsSettings): ProtocolFacts {
  const rows = retryRows(s.retrySchedule);
  return {
    s,
    rows,
    attempts: rows.length,
    windowHours: retryWindowHours(s.retrySchedule),
    timeout: formatMs(s.timeoutMs),
  };
}

export const STANDARD_WEBHOOKS = "https://www.standardwebhooks.com/";
export const LIBRARIES = "https://github.com/standard-webhooks/standard-webhooks/tree/main/libraries";
