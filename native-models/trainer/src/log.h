// llama.cpp/ggml log routing: warnings and errors to stderr (everything with --verbose); the last
// error line is kept to explain failures in the JSON error event.
#pragma once

#include <string>

namespace clade {

void installLogger(bool verbose);
std::string lastLlamaError();

} // namespace clade
