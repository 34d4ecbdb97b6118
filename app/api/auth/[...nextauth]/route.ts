import { authRouteHandler } from "@/lib/api/auth-route";

export { authRouteHandler as GET, authRouteHandler as POST };
