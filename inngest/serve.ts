import { serve } from "inngest/next";
import { inngest } from "@/inngest/client";
import { functions } from "@/inngest/index";

/**
 * The served functions: the handler behind /api/inngest (for Inngest Cloud or
 * a self-hosted server) and the very handler the embedded executor drives
 * in-process. Requests must carry a valid signature (cloud mode), including
 * in embedded mode, where the signing key is derived from AUTH_SECRET.
 */
export const inngestHandler = serve({ client: inngest, functions });
