// Progress protocol: one JSON object per line on stdout, read by extension/engine/train/trainerProcess.ts.
// Types: start, progress, eval, checkpoint, warning, done, stopped, error.
#pragma once

#include <nlohmann/json.hpp>

namespace clade {

using Json = nlohmann::ordered_json;

// Writes `event` as one line and flushes, so the reader sees it at once.
void emitEvent(const Json & event);

// Convenience: {"type":"warning","message":...}.
void emitWarning(const std::string & message);

// Peak resident set size of this process in bytes (0 where unknown).
uint64_t peakRssBytes();

} // namespace clade
