import { requireInngestSignature } from "@/inngest/serve";

export const { GET, POST, PUT } = requireInngestSignature();
