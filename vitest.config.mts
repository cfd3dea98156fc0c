import { defineConfig } from "vitest/config";

// Two projects, as node-llama-cpp does it: model-free unit tests, and integration tests that load
// real GGUF models and start real processes (run in forked workers, one file at a time, because
// this machine has 2 cores and llama.cpp contexts are heavy).
export default defineConfig({
  test: {
    globalSetup: ["test/globalSetup.ts"],
    reporters: ["default"],
    projects: [
      {
        extends: true,
        test: { name: "unit", include: ["test/unit/**/*.test.ts"], testTimeout: 20_000 },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          pool: "forks",
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
