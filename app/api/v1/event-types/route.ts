import { ok } from "@/lib/api/envelope";
import { apiRoute } from "@/lib/api/route";
import { catalogView } from "@/lib/events/catalog";
import { methodNotAllowed } from "@/lib/api/methods";

export const GET = apiRoute(async () => ok(catalogView()));

const unsupported = methodNotAllowed(["GET"]);
export { unsupported as POST, unsupported as PUT, unsupported as PATCH, unsupported as DELETE };
