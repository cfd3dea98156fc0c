// Adapter GGUF files: the base model's weight list, the initial/dummy/trained adapters llama.cpp
// loads with llama_adapter_lora_init (general.type=adapter, adapter.type=lora, adapter.lora.alpha,
// blk.N.<module>.weight.lora_a [n_in, r] / .lora_b [r, n_out]), and the optimizer-state sidecar.
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

struct ggml_tensor;

namespace clade {

struct AdapterError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// A target module that cannot be trained or does not exist in the model.
struct TargetError : AdapterError {
    using AdapterError::AdapterError;
};

// A 2-D per-layer weight of the base model, e.g. blk.3.ffn_up.weight (n_in = ne[0], n_out = ne[1]).
struct BaseWeight {
    std::string name;
    std::string module;
    int layer = 0;
    int64_t nIn = 0;
    int64_t nOut = 0;
};

struct BaseModelInfo {
    std::string arch;
    std::vector<BaseWeight> layerWeights;
    int64_t nTensors = 0;
};

BaseModelInfo readBaseModelInfo(const std::string & path);

// The base weights an adapter on `targets` covers. Refuses attn_k/attn_v (no gradient reaches them
// through the KV cache) and modules the model lacks, naming the modules it has.
std::vector<BaseWeight> selectTargets(const BaseModelInfo & info, const std::vector<std::string> & targets);

// Training state stored as clade.* keys in checkpoints and final adapters.
struct TrainMeta {
    uint64_t step = 0;     // optimizer steps completed
    uint64_t windows = 0;  // windows per epoch (checked on resume)
    uint32_t ctx = 0;
    uint32_t rank = 0;
    uint32_t seed = 0;
    float loss = 0.0f;
    std::string targets;   // comma-separated
};

// A fresh adapter: A ~ U(-1/sqrt(n_in), 1/sqrt(n_in)), B = 0, so it starts as the identity.
void writeInitialAdapter(const std::string & path, const std::string & arch, int rank, float alpha,
                         const std::vector<BaseWeight> & weights, uint32_t seed, const TrainMeta & meta);

// A rank-1 adapter over `weights` that is loaded but never attached: each loaded adapter raises
// llama.cpp's graph-node budget, which the backward graph needs on deep models.
void writeBudgetAdapter(const std::string & path, const std::string & arch, const std::vector<BaseWeight> & weights);

// Writes live tensors (e.g. the trained lora_a/lora_b in backend memory) as an adapter.
void writeAdapterTensors(const std::string & path, const std::string & arch, float alpha,
                         const std::vector<ggml_tensor *> & tensors, const TrainMeta & meta);

// Reads clade.* keys (and checks it is a LoRA adapter for `arch`).
TrainMeta readAdapterMeta(const std::string & path, const std::string & arch, float * alpha);

// AdamW first/second moments per trainable tensor, keyed by the tensor's name.
struct Moments {
    ggml_tensor * m = nullptr;
    ggml_tensor * v = nullptr;
};
void writeOptimizerState(const std::string & path, const std::map<std::string, Moments> & moments, uint64_t step);

struct MomentsData {
    std::vector<float> m;
    std::vector<float> v;
};
std::map<std::string, MomentsData> readOptimizerState(const std::string & path, uint64_t expectedStep);

// Sidecar path for the optimizer state of checkpoint `checkpointPath`.
std::string optimizerStatePath(const std::string & checkpointPath);

} // namespace clade
