// The training run: data → windows → per-window optimizer steps → checkpoints → final adapter.
#pragma once

#include "options.h"

namespace clade {

constexpr int kExitOk = 0;
constexpr int kExitError = 1;
constexpr int kExitUsage = 2;
constexpr int kExitStopped = 3;

// Set from the SIGTERM/SIGINT handler; checked between steps.
bool stopRequested();

// Runs the whole training and returns the process exit code; errors are thrown.
int runTraining(const Options & opts);

} // namespace clade
