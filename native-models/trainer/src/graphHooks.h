// The scheduler eval callback that turns llama.cpp's full-model training into LoRA training with a
// per-token loss mask, using only the public API (no patched libllama):
//  - Collect (warm-up decode): finds the adapter's *.lora_a / *.lora_b tensors in the graph.
//  - Train: at CROSS_ENTROPY_LOSS_BACK (the gradient of the loss w.r.t. the logits, before it flows
//    back) rows of unweighted positions are zeroed and the rest rescaled to a weighted mean, and the
//    masked loss is computed from the logits; at each OPT_STEP_ADAMW it records the AdamW moment
//    tensors (for checkpoints), restores them on resume, and sets the bias corrections (beta1^t,
//    beta2^t) for the global step t so a resumed run continues exactly.
//  - Eval: the masked loss at CROSS_ENTROPY_LOSS, forward only.
//  - Train, when fast backward is on: OUT_PRODs of frozen quantized weights (the activation
//    gradients, most of a step) are turned into no-ops for ggml and computed by weightBackward.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "adapterFile.h"
#include "dataset.h"

struct ggml_tensor;

namespace clade {

class GraphHooks {
public:
    enum class Phase { Idle, Collect, Train, Eval };

    // ggml_backend_sched_eval_callback; user data = GraphHooks*.
    static bool evalCallback(ggml_tensor * t, bool ask, void * userData);

    void setPhase(Phase phase) { phase_ = phase; }

    // weightBackward for eligible OUT_PRODs (threads > 0), or ggml's own kernel (0).
    void setWeightBackwardThreads(int threads) { weightBackwardThreads_ = threads; }
    int64_t weightBackwardNodes() const { return weightBackwardNodes_; }

    // Collect phase results.
    const std::map<std::string, ggml_tensor *> & loraTensors() const { return lora_; }

    // Nodes seen since resetNodeCount().
    int64_t nodeCount() const { return nodes_; }
    void resetNodeCount() { nodes_ = 0; }

    // Per window: which window is being evaluated, and its micro-batch size.
    void beginWindow(const Window * window, int64_t nUbatch);
    void nextUbatch() { ubatch_++; }
    double lossSum() const { return lossSum_; }     // sum over weighted positions of weight * loss
    double weightSeen() const { return weightSeen_; }

    // AdamW bias corrections for the step being computed: 1/(1-beta1^t), 1/(1-beta2^t).
    void setBiasCorrections(float beta1h, float beta2h) { beta1h_ = beta1h; beta2h_ = beta2h; }
    const std::map<std::string, Moments> & moments() const { return moments_; }
    void setPendingRestore(std::map<std::string, MomentsData> restore) { pending_ = std::move(restore); }
    size_t pendingRestoreCount() const { return pending_.size(); }

    // Gradient accumulators of the parameters (found at their optimizer steps). ggml-opt only
    // clears them when it allocates them or, with static graphs, between optimizer periods; llama.cpp
    // uses dynamic graphs, so without this every step would also re-apply all earlier gradients.
    void zeroGradients() const;

    // Errors inside the callback cannot be thrown through ggml; they are kept here.
    const std::string & error() const { return error_; }

private:
    bool ask(ggml_tensor * t);
    void collect(ggml_tensor * t);
    void optimizerStep(ggml_tensor * t);
    void maskGradient(ggml_tensor * t);
    void addLoss(ggml_tensor * logits);

    Phase phase_ = Phase::Idle;
    int weightBackwardThreads_ = 0;
    int64_t weightBackwardNodes_ = 0;
    std::set<ggml_tensor *> deferred_; // marked in the ask phase, computed when reached
    std::map<std::string, ggml_tensor *> lora_;
    int64_t nodes_ = 0;

    const Window * window_ = nullptr;
    int64_t nUbatch_ = 0;
    int64_t ubatch_ = 0;
    double lossSum_ = 0;
    double weightSeen_ = 0;

    float beta1h_ = 1.0f;
    float beta2h_ = 1.0f;
    std::map<std::string, Moments> moments_;
    std::map<std::string, ggml_tensor *> grads_;
    std::map<std::string, MomentsData> pending_;
    std::string error_;
};

} // namespace clade
