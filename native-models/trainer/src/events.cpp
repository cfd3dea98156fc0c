#include "events.h"

#include <cstdio>
#include <sys/resource.h>

namespace clade {

void emitEvent(const Json & event) {
    const std::string line = event.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

void emitWarning(const std::string & message) {
    emitEvent(Json{{"type", "warning"}, {"message", message}});
}

uint64_t peakRssBytes() {
    struct rusage usage {};
    if (getrusage(RUSAGE_SELF, &usage) != 0) {
        return 0;
    }
#if defined(__APPLE__)
    return static_cast<uint64_t>(usage.ru_maxrss);        // bytes on macOS
#else
    return static_cast<uint64_t>(usage.ru_maxrss) * 1024; // kilobytes on Linux
#endif
}

} // namespace clade
