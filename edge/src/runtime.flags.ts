/**
 * V8 heap sizing the edge runs with. A gateway recording thousands of OPC UA changes a second
 * allocates fast and keeps little (a live heap of ~45 MB at 10,000 changes/s); left to its defaults on
 * a large-memory box V8 grows the young generation to 128 MB and lets old-generation garbage pile up
 * between major collections, which took the process past 340 MB. Smaller semi-spaces and a slower heap
 * growth keep it under 200 MB for ~15 % more CPU per recorded sample (both measured by `pnpm bench:edge`).
 *
 * Every way the edge is launched passes these flags: `pnpm edge`, `pnpm demo`, docker-compose and the
 * edge benchmarks (a test holds package.json and docker-compose.yml to this list).
 */
export const EDGE_NODE_FLAGS = ['--max-semi-space-size=4', '--heap-growing-percent=30'] as const;
