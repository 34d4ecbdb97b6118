#!/bin/sh
# Stand-in for Prisma's schema engine, which cannot be downloaded here; `prisma generate` never runs it.
echo "prisma schema engine stub: not available" >&2
exit 1
