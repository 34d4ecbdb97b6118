import { ok } from "@/lib/api/envelope";
import { apiRoute } from "@/lib/api/route";
import { catalogView } from "@/lib/events/catalog";

export const GET = apiRoute(async () => ok(catalogView()));
