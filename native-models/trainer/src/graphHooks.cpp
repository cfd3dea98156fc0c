#include "graphHooks.h"

#include <cmath>
#include <cstring>
#include <vector>

#include "ggml-backend.h"
#include "ggml.h"
#include "weightBackward.h"

namespace clade {

namespace {

bool endsWith(const char * s, const char * suffix) {
    const size_t n = std::strlen(s), k = std::strlen(suffix);
    return n >= k && std::memcmp(s + n - k, suffix, k) == 0;
}

// Float rows of a tensor, read in place from host memory or copied from a device buffer.
class Rows {
public:
    explicit Rows(ggml_tensor * t) : t_(t), host_(ggml_backend_buffer_is_host(t->buffer)) {
        if (host_) {
            data_ = static_cast<float *>(t->data);
        } else {
            copy_.resize(ggml_nelements(t));
            ggml_backend_tensor_get(t, copy_.data(), 0, ggml_nbytes(t));
            data_ = copy_.data();
        }
    }
    float * row(int64_t r) { return data_ + r * t_->ne[0]; }
    void writeBack() {
        if (!host_) ggml_backend_tensor_set(t_, copy_.data(), 0, ggml_nbytes(t_));
    }

private:
    ggml_tensor * t_;
    bool host_;
    float * data_ = nullptr;
    std::vector<float> copy_;
};

// -log softmax(row)[label], computed stably in double precision.
double crossEntropy(const float * row, int64_t n, int32_t label) {
    float max = row[0];
    for (int64_t i = 1; i < n; i++) max = std::max(max, row[i]);
    double sum = 0;
    for (int64_t i = 0; i < n; i++) sum += std::exp(static_cast<double>(row[i] - max));
    return std::log(sum) + max - row[label];
}

} // namespace

bool GraphHooks::evalCallback(ggml_tensor * t, bool askPhase, void * userData) {
    auto * self = static_cast<GraphHooks *>(userData);
    try {
        if (askPhase) {
            return self->ask(t);
        }
        if (self->deferred_.erase(t) > 0) {
            // Marked in the ask phase: ggml skipped it; its inputs are computed now.
            t->op = GGML_OP_OUT_PROD;
            weightBackward(t, self->weightBackwardThreads_);
        } else if (self->phase_ == Phase::Train && t->op == GGML_OP_CROSS_ENTROPY_LOSS_BACK) {
            self->maskGradient(t);
        } else if (self->phase_ == Phase::Eval && t->op == GGML_OP_CROSS_ENTROPY_LOSS) {
            self->addLoss(t->src[0]);
        }
    } catch (const std::exception & e) {
        if (self->error_.empty()) self->error_ = e.what();
    }
    return true; // never cut a computation short: errors are reported after it
}

bool GraphHooks::ask(ggml_tensor * t) {
    nodes_++;
    switch (phase_) {
        case Phase::Collect:
            collect(t);
            return false;
        case Phase::Train:
            if (t->op == GGML_OP_OPT_STEP_ADAMW) optimizerStep(t);
            if (t->op == GGML_OP_OUT_PROD && getenv("CLADE_DEBUG_OPS")) fprintf(stderr, "OUT_PROD %s src0 %s %s [%lld,%lld,%lld] src1 %s [%lld,%lld,%lld] elig %d\n", t->name, t->src[0]->name, ggml_type_name(t->src[0]->type), (long long)t->src[0]->ne[0], (long long)t->src[0]->ne[1], (long long)t->src[0]->ne[2], ggml_type_name(t->src[1]->type), (long long)t->src[1]->ne[0], (long long)t->src[1]->ne[1], (long long)t->src[1]->ne[2], (int)weightBackwardEligible(t));
            if (weightBackwardThreads_ > 0 && weightBackwardEligible(t)) {
                // A no-op for ggml's compute; computed by weightBackward when the scheduler reaches it.
                t->op = GGML_OP_NONE;
                deferred_.insert(t);
                weightBackwardNodes_++;
                return true;
            }
            return t->op == GGML_OP_CROSS_ENTROPY_LOSS_BACK;
        case Phase::Eval:
            return t->op == GGML_OP_CROSS_ENTROPY_LOSS;
        default:
            return false;
    }
}

void GraphHooks::collect(ggml_tensor * t) {
    for (int i = 0; i < GGML_MAX_SRC; i++) {
        ggml_tensor * src = t->src[i];
        if (src && src->op == GGML_OP_NONE && (endsWith(src->name, ".lora_a") || endsWith(src->name, ".lora_b"))) {
            lora_[src->name] = src;
        }
    }
}

void GraphHooks::beginWindow(const Window * window, int64_t nUbatch) {
    window_ = window;
    nUbatch_ = nUbatch;
    ubatch_ = 0;
    lossSum_ = 0;
    weightSeen_ = 0;
}

// Runs before the optimizer step of one parameter is computed (its inputs are final by then).
void GraphHooks::optimizerStep(ggml_tensor * t) {
    ggml_tensor * param = t->src[0];
    ggml_tensor * m = t->src[2];
    ggml_tensor * v = t->src[3];
    ggml_tensor * adamwParams = t->src[4];
    moments_[param->name] = Moments{m, v};
    ggml_tensor * grad = t->src[1];
    grads_[param->name] = grad->view_src ? grad->view_src : grad; // the persistent accumulator

    const auto it = pending_.find(param->name);
    if (it != pending_.end()) {
        const size_t n = static_cast<size_t>(ggml_nelements(m));
        if (it->second.m.size() != n || it->second.v.size() != n) {
            throw std::runtime_error(std::string("optimizer state for ") + param->name + " has the wrong size");
        }
        ggml_backend_tensor_set(m, it->second.m.data(), 0, n * sizeof(float));
        ggml_backend_tensor_set(v, it->second.v.data(), 0, n * sizeof(float));
        pending_.erase(it);
    }

    // ggml computes the bias corrections from its own iteration count, which restarts at 1 in every
    // process; parameters 5 and 6 of the AdamW step are 1/(1-beta1^t) and 1/(1-beta2^t).
    const float hats[2] = {beta1h_, beta2h_};
    ggml_backend_tensor_set(adamwParams, hats, 5 * sizeof(float), sizeof(hats));
}

void GraphHooks::zeroGradients() const {
    for (const auto & entry : grads_) {
        ggml_backend_tensor_memset(entry.second, 0, 0, ggml_nbytes(entry.second));
    }
}

// t = d(loss)/d(logits) for one micro-batch: row r is (softmax(logits_r) - onehot(label_r)) * d / nr,
// where d is the incoming gradient of the loss. Rewritten to (softmax - onehot) * w_r / sum(w),
// i.e. the gradient of the weighted mean loss over the window; rows with w_r = 0 become 0. With a
// window gradScale s != 0: (softmax - onehot) * w_r * s, the gradient of s * sum_r w_r * nll_r.
void GraphHooks::maskGradient(ggml_tensor * t) {
    if (!window_) throw std::runtime_error("no training window set");
    ggml_tensor * logitsT = t->src[1];
    float d = 0;
    ggml_backend_tensor_get(t->src[0], &d, 0, sizeof(float));
    const int64_t nVocab = t->ne[0];
    const int64_t nRows = ggml_nrows(t);
    Rows grad(t);
    Rows logits(logitsT);
    for (int64_t r = 0; r < nRows; r++) {
        const size_t pos = static_cast<size_t>(ubatch_ * nUbatch_ + r);
        const float w = pos < window_->labelWeights.size() ? window_->labelWeights[pos] : 0.0f;
        float * g = grad.row(r);
        if (w == 0.0f || d == 0.0f) {
            std::memset(g, 0, sizeof(float) * nVocab);
            continue;
        }
        const double ce = crossEntropy(logits.row(r), nVocab, window_->tokens[pos + 1]);
        lossSum_ += w * ce;
        weightSeen_ += w;
        // Weighted mean over the window (sft), or gradScale * the weighted sum (dpo's coefficient).
        const double perToken = window_->gradScale != 0 ? w * window_->gradScale : w / window_->weightSum;
        const float scale = static_cast<float>(perToken * nRows / d);
        for (int64_t i = 0; i < nVocab; i++) g[i] *= scale;
    }
    grad.writeBack();
}

void GraphHooks::addLoss(ggml_tensor * logitsT) {
    if (!window_) throw std::runtime_error("no evaluation window set");
    Rows logits(logitsT);
    const int64_t nVocab = logitsT->ne[0];
    for (int64_t r = 0; r < ggml_nrows(logitsT); r++) {
        const size_t pos = static_cast<size_t>(ubatch_ * nUbatch_ + r);
        const float w = pos < window_->labelWeights.size() ? window_->labelWeights[pos] : 0.0f;
        if (w == 0.0f) continue;
        lossSum_ += w * crossEntropy(logits.row(r), nVocab, window_->tokens[pos + 1]);
        weightSeen_ += w;
    }
}

} // namespace clade
