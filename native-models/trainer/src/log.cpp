#include "log.h"

#include <cstdio>

#include "llama.h"

namespace clade {

namespace {

bool g_verbose = false;
std::string g_lastError;
std::string g_pending; // an error message arrives in pieces (GGML_LOG_LEVEL_CONT)
ggml_log_level g_lastLevel = GGML_LOG_LEVEL_NONE;

void logCallback(ggml_log_level level, const char * text, void *) {
    const ggml_log_level effective = level == GGML_LOG_LEVEL_CONT ? g_lastLevel : level;
    g_lastLevel = effective;
    if (effective == GGML_LOG_LEVEL_ERROR) {
        g_pending += text;
        if (!g_pending.empty() && g_pending.back() == '\n') {
            g_lastError = g_pending.substr(0, g_pending.size() - 1);
            g_pending.clear();
        }
    }
    if (g_verbose || effective == GGML_LOG_LEVEL_ERROR || effective == GGML_LOG_LEVEL_WARN) {
        std::fputs(text, stderr);
    }
}

} // namespace

void installLogger(bool verbose) {
    g_verbose = verbose;
    llama_log_set(logCallback, nullptr);
}

std::string lastLlamaError() {
    return g_lastError;
}

} // namespace clade
