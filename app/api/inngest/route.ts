import { inngestHandler } from "@/inngest/serve";

export const GET = inngestHandler.GET;
export const POST = inngestHandler.POST;
export const PUT = inngestHandler.PUT;
