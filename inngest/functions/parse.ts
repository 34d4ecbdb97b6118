import { NonRetriableError } from "inngest";
import type { z } from "zod";

/** The event data a function receives, checked against its schema (lib/jobs/events.ts); malformed data is final. */
export function parseEventData<S extends z.ZodType>(schema: S, data: unknown, event: string): z.infer<S> {
  const parsed = schema.safeParse(data);
  if (!parsed.success)
    throw new NonRetriableError(`malformed ${event} data: ${parsed.error.issues.map((i) => i.message).join("; ")}`);
  return parsed.data;
}
