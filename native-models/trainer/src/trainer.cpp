#include "trainer.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <random>

#include "events.h"
#include "run.h"

namespace clade {

namespace {

// Windows are visited in a fresh seeded order every epoch; the order depends only on (seed, epoch)
// so a resumed run continues exactly where the stopped one was.
std::vector<size_t> epochOrder(size_t n, uint32_t seed, int64_t epoch) {
    std::vector<size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::mt19937_64 rng(static_cast<uint64_t>(seed) * 1000003ULL + static_cast<uint64_t>(epoch));
    std::shuffle(order.begin(), order.end(), rng);
    return order;
}

Json lossJson(double loss) {
    return std::isfinite(loss) ? Json(loss) : Json(nullptr);
}

struct LoopState {
    Clock::time_point trainStart = Clock::now();
    double evalMs = 0;       // evaluation time, not counted in training tokens/s
    uint64_t done = 0;       // steps completed, counting those before a resume
    double lastLoss = NAN;
    double finalLoss = NAN;  // weighted mean over the current (last) epoch
    double tokensPerSecond(const Run & run) const {
        const double seconds = (msSince(trainStart) - evalMs) / 1000.0;
        return done > run.startStep && seconds > 0 ? static_cast<double>((done - run.startStep) * run.session->nCtx()) / seconds : 0.0;
    }
};

// dpo: the pair's implicit-reward margin m = (log pi(chosen) - ref) - (log pi(rejected) - ref), its
// loss softplus(-beta m), and the loss's derivative with respect to each side's summed NLL:
// +beta * sigmoid(-beta m) for the chosen side, the negative for the rejected one.
struct DpoTerms {
    double margin = 0, loss = 0, coefficient = 0;
};

DpoTerms dpoTerms(Run & run, size_t pair) {
    const double chosen = run.logProb(run.windows[2 * pair]) - run.refLogProbs[2 * pair];
    const double rejected = run.logProb(run.windows[2 * pair + 1]) - run.refLogProbs[2 * pair + 1];
    const double beta = run.opts.beta;
    DpoTerms t;
    t.margin = chosen - rejected;
    const double z = beta * t.margin;
    t.loss = z > 0 ? std::log1p(std::exp(-z)) : -z + std::log1p(std::exp(z));
    t.coefficient = std::max(beta / (1.0 + std::exp(z)), 1e-30); // never 0: 0 means "mean" to the hooks
    return t;
}

void trainSteps(Run & run, LoopState & st) {
    const bool dpo = run.opts.objective == Objective::Dpo;
    const int64_t nWin = static_cast<int64_t>(run.windows.size());
    std::vector<size_t> order;
    double epochLoss = 0, epochWeight = 0;
    DpoTerms terms;
    bool haveTerms = false;
    for (int64_t step = static_cast<int64_t>(run.startStep); step < run.totalSteps && !stopRequested(); step++) {
        const int64_t epoch = step / nWin;
        if (order.empty() || step % nWin == 0) {
            order = epochOrder(dpo ? run.windows.size() / 2 : run.windows.size(), run.opts.seed, epoch);
            if (step % nWin == 0) epochLoss = epochWeight = 0;
        }
        double weight = 0;
        if (dpo) {
            // A pair is two consecutive optimizer steps (llama.cpp steps once per window): its chosen
            // side with +coefficient, then its rejected side with -coefficient, both from the margin
            // measured before the first (recomputed when a resumed run starts between the two).
            const size_t pair = order[static_cast<size_t>((step % nWin) / 2)];
            const bool rejectedHalf = step % 2 == 1;
            if (!rejectedHalf || !haveTerms) terms = dpoTerms(run, pair);
            haveTerms = !rejectedHalf;
            Window w = run.windows[2 * pair + (rejectedHalf ? 1 : 0)];
            w.gradScale = rejectedHalf ? -terms.coefficient : terms.coefficient;
            run.trainWindow(w, static_cast<uint64_t>(step));
            st.lastLoss = terms.loss;
            weight = 1;
        } else {
            const Window & w = run.windows[order[static_cast<size_t>(step % nWin)]];
            st.lastLoss = run.trainWindow(w, static_cast<uint64_t>(step));
            weight = w.weightSum;
        }
        if (!std::isfinite(st.lastLoss)) {
            throw std::runtime_error("the loss became " + std::to_string(st.lastLoss) + " at step " + std::to_string(step + 1) + ": lower --lr");
        }
        st.done = static_cast<uint64_t>(step + 1);
        epochLoss += st.lastLoss * weight;
        epochWeight += weight;
        st.finalLoss = epochLoss / epochWeight;
        Json progress{{"type", "progress"}, {"epoch", epoch + 1}, {"step", st.done}, {"steps", run.totalSteps}, {"loss", st.lastLoss},
                      {"lr", run.lastLearningRate}, {"tokensPerSecond", st.tokensPerSecond(run)}, {"elapsedMs", static_cast<int64_t>(msSince(run.started))}};
        if (dpo) progress["margin"] = terms.margin;
        emitEvent(progress);
        const bool last = static_cast<int64_t>(st.done) == run.totalSteps;
        if (!run.evalWindows.empty() && (st.done % static_cast<uint64_t>(nWin) == 0 || last)) {
            // The evaluation is the forward pass alone over the held-out windows: its time is the
            // same-process, same-weights reference `clade bench train` compares training against.
            const Clock::time_point evalStart = Clock::now();
            const double evalLoss = run.evaluate();
            const double ms = msSince(evalStart);
            st.evalMs += ms;
            emitEvent(Json{{"type", "eval"}, {"epoch", epoch + 1}, {"step", st.done}, {"loss", evalLoss}, {"ms", ms},
                           {"tokens", run.evalWindows.size() * run.session->nCtx()}});
        }
        if (run.opts.checkpointEvery > 0 && st.done % static_cast<uint64_t>(run.opts.checkpointEvery) == 0 && !last) {
            run.writeCheckpoint(st.done, static_cast<float>(st.lastLoss));
        }
    }
}

// Stopped early: checkpoint and exit 3. Finished: final adapter, checkpoint files removed.
int finish(Run & run, const LoopState & st) {
    const Options & opts = run.opts;
    if (static_cast<int64_t>(st.done) < run.totalSteps) {
        run.writeCheckpoint(st.done, static_cast<float>(std::isfinite(st.lastLoss) ? st.lastLoss : 0.0));
        emitEvent(Json{{"type", "stopped"}, {"step", st.done}, {"steps", run.totalSteps}, {"checkpoint", opts.checkpoint},
                       {"optimizerPath", optimizerStatePath(opts.checkpoint)}, {"tokensPerSecond", st.tokensPerSecond(run)}});
        return kExitStopped;
    }
    writeAdapterTensors(opts.out, run.info.arch, run.alpha, run.session->trainable(), run.meta(st.done, static_cast<float>(st.finalLoss)));
    std::remove(opts.checkpoint.c_str());
    std::remove(optimizerStatePath(opts.checkpoint).c_str());
    emitEvent(Json{{"type", "done"}, {"adapter", opts.out}, {"finalLoss", lossJson(st.finalLoss)}, {"lastLoss", lossJson(st.lastLoss)},
                   {"steps", st.done}, {"tokensPerSecond", st.tokensPerSecond(run)}, {"elapsedMs", static_cast<int64_t>(msSince(run.started))},
                   {"peakRssBytes", peakRssBytes()}, {"trainGraphNodes", run.trainNodes},
                   {"weightBackwardNodes", run.session->hooks().weightBackwardNodes()}});
    return kExitOk;
}

} // namespace

int runTraining(const Options & opts) {
    Run run(opts);
    try {
        run.info = readBaseModelInfo(opts.model);
    } catch (const AdapterError & e) {
        throw SessionError(std::string("the model is missing or not a GGUF model: ") + e.what());
    }
    run.openSession(run.resolveAdapter());
    run.loadData();
    run.emitStart();
    LoopState st;
    st.done = run.startStep;
    trainSteps(run, st);
    return finish(run, st);
}

} // namespace clade
