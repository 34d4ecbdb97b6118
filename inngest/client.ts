import { Inngest } from "inngest";
import { withEmbeddedMode } from "@/inngest/embedded/client";
import { argsLogger } from "@/lib/log";

/**
 * The app's one Inngest client. With INNGEST_EVENT_KEY + INNGEST_SIGNING_KEY
 * (Inngest Cloud / self-hosted) or INNGEST_DEV=1 it talks to that server; with
 * none (the default) it is wired to the in-process embedded executor. What
 * the SDK logs (a step's error, a failed request) goes through lib/log.ts:
 * one redacted JSON line each.
 */
export const inngest = new Inngest(
  withEmbeddedMode({ id: "akol-webhooks", logger: argsLogger("inngest"), internalLogger: argsLogger("inngest") }),
);
