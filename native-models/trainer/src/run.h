// State of one training run and its single steps; trainer.cpp drives the loop.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "adapterFile.h"
#include "dataset.h"
#include "ggml-opt.h"
#include "options.h"
#include "session.h"

namespace clade {

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point t0);

struct Run {
    const Options & opts;
    BaseModelInfo info;
    std::vector<std::string> targetNames;
    int rank = 0;
    float alpha = 0;
    uint64_t startStep = 0;
    TrainMeta resumeMeta;
    std::map<std::string, MomentsData> restoreMoments;
    std::unique_ptr<Session> session;
    std::vector<Window> windows;
    std::vector<Window> evalWindows;
    // dpo: windows[2i] is pair i's chosen sequence, windows[2i+1] its rejected one; their summed
    // masked log-probabilities under the reference (the starting adapter) are refLogProbs[2i], [2i+1].
    std::vector<double> refLogProbs;
    int64_t totalSteps = 0;
    int64_t trainNodes = 0; // nodes of a training graph, per micro-batch
    float lastLearningRate = 0;
    ggml_opt_dataset_t dataset = nullptr;
    ggml_opt_result_t result = nullptr;
    Clock::time_point started = Clock::now();

    explicit Run(const Options & o) : opts(o) {}
    ~Run();
    Run(const Run &) = delete;
    Run & operator=(const Run &) = delete;

    // Fresh run: writes the initial adapter and returns its (temporary) path; resume: the checkpoint.
    std::string resolveAdapter();
    void openSession(const std::string & adapterPath);
    void loadData();
    void emitStart() const;
    TrainMeta meta(uint64_t step, float loss) const;
    void writeCheckpoint(uint64_t step, float loss);
    // One optimizer step on one window (global 0-based step); returns its weighted mean loss.
    double trainWindow(const Window & w, uint64_t step);
    // Weighted mean loss over the evaluation windows, forward only.
    double evaluate();
    // Sum over the window of mask * log p(token), forward only, with the adapter as it is now.
    double logProb(const Window & w);

private:
    void loadWindow(const Window & w);
};

} // namespace clade
