import { Inngest } from "inngest";
import { withEmbeddedMode } from "@/inngest/embedded/client";

/**
 * The app's one Inngest client. With INNGEST_EVENT_KEY + INNGEST_SIGNING_KEY
 * (Inngest Cloud / self-hosted) or INNGEST_DEV=1 it talks to that server; with
 * none (the default) it is wired to the in-process embedded executor.
 */
export const inngest = new Inngest(withEmbeddedMode({ id: "akol-webhooks" }));
