// clade-lora-train: trains a LoRA adapter for a llama.cpp model. See options.cpp for the flags and
// events.h for the JSON-lines protocol on stdout.
#include <clocale>
#include <csignal>
#include <cstdio>

#include "events.h"
#include "log.h"
#include "options.h"
#include "session.h"
#include "dataset.h"
#include "adapterFile.h"
#include "trainer.h"
#include "weightBackwardCheck.h"

namespace {

volatile std::sig_atomic_t g_stop = 0;

// The first SIGTERM/SIGINT asks for a clean stop at the next step boundary (checkpoint, exit 3);
// a second one kills the process the default way.
void onSignal(int sig) {
    g_stop = 1;
    std::signal(sig, SIG_DFL);
}

} // namespace

namespace clade {
bool stopRequested() {
    return g_stop != 0;
}
} // namespace clade

int main(int argc, char ** argv) {
    std::setlocale(LC_NUMERIC, "C");
    std::signal(SIGTERM, onSignal);
    std::signal(SIGINT, onSignal);
    clade::Options opts;
    try {
        opts = clade::parseOptions(argc, argv);
    } catch (const clade::UsageError & e) {
        clade::emitEvent(clade::Json{{"type", "error"}, {"kind", "usage"}, {"message", e.what()}});
        std::fputs(clade::usageText().c_str(), stderr);
        return clade::kExitUsage;
    }
    clade::installLogger(opts.verbose);
    try {
        if (opts.checkWeightBackward) return clade::checkWeightBackward(opts.threads);
        return clade::runTraining(opts);
    } catch (const clade::DataError & e) {
        clade::emitEvent(clade::Json{{"type", "error"}, {"kind", "data"}, {"message", e.what()}});
    } catch (const clade::TargetError & e) {
        clade::emitEvent(clade::Json{{"type", "error"}, {"kind", "target"}, {"message", e.what()}});
    } catch (const clade::AdapterError & e) {
        clade::emitEvent(clade::Json{{"type", "error"}, {"kind", "adapter"}, {"message", e.what()}});
    } catch (const clade::SessionError & e) {
        clade::emitEvent(clade::Json{{"type", "error"}, {"kind", "model"}, {"message", e.what()}});
    } catch (const std::exception & e) {
        clade::emitEvent(clade::Json{{"type", "error"}, {"kind", "internal"}, {"message", e.what()}});
    }
    return clade::kExitError;
}
