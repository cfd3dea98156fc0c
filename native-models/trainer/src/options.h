// Command-line options of clade-lora-train.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace clade {

enum class Schedule { Constant, Cosine };

// sft: weighted likelihood of the masked tokens. dpo: Direct Preference Optimization on pairs
// (data lines {"chosen":{tokens,mask},"rejected":{tokens,mask}}), reference = the starting adapter.
enum class Objective { Sft, Dpo };

struct Options {
    std::string model;      // base model GGUF
    std::string data;       // training JSONL: {"tokens":[...], "mask":[...]} per line
    std::string evalData;   // optional held-out JSONL, evaluated after every epoch
    std::string out;        // final adapter GGUF
    std::string checkpoint; // checkpoint adapter GGUF (default: <out>.ckpt.gguf)
    std::string resume;     // checkpoint to resume from

    int rank = 8;
    float alpha = 0.0f; // 0 = 2 * rank
    std::vector<std::string> targets = {"attn_q", "attn_output", "ffn_gate", "ffn_up", "ffn_down"};

    float lr = 2e-4f;
    float lrMin = 0.0f;
    Schedule schedule = Schedule::Cosine;
    int warmup = 0;
    float weightDecay = 0.0f;
    float beta1 = 0.9f;
    float beta2 = 0.999f;
    float eps = 1e-8f;

    int epochs = 1;
    int maxSteps = 0; // 0 = epochs * windows
    int ctx = 512;
    int ubatch = 0;   // 0 = whole window in one micro-batch
    int threads = 0;  // 0 = hardware concurrency
    uint32_t seed = 42;
    int checkpointEvery = 0; // 0 = only when stopped by a signal
    int gpuLayers = -1;
    Objective objective = Objective::Sft;
    float beta = 0.1f; // dpo: the temperature of the implicit reward
    bool verbose = false;
    // Activation gradients of frozen quantized weights by weightBackward (false: ggml's OUT_PROD, the
    // reference the tests compare against).
    bool fastBackward = true;
    // --check-weight-backward: compare weightBackward with ggml's OUT_PROD on random problems and exit.
    bool checkWeightBackward = false;
};

struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Throws UsageError for unknown flags, missing values or out-of-range numbers.
Options parseOptions(int argc, char ** argv);

std::string usageText();

} // namespace clade
