#include "adapterFile.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <random>
#include <regex>
#include <set>

#include "ggml.h"
#include "gguf.h"

namespace clade {

namespace {

struct GgufDeleter {
    void operator()(gguf_context * ctx) const { gguf_free(ctx); }
};
using GgufPtr = std::unique_ptr<gguf_context, GgufDeleter>;

struct GgmlDeleter {
    void operator()(ggml_context * ctx) const { ggml_free(ctx); }
};
using GgmlPtr = std::unique_ptr<ggml_context, GgmlDeleter>;

GgufPtr openMeta(const std::string & path, ggml_context ** tensorCtx = nullptr) {
    gguf_init_params params = {/*.no_alloc =*/ tensorCtx == nullptr, /*.ctx =*/ tensorCtx};
    GgufPtr ctx(gguf_init_from_file(path.c_str(), params));
    if (!ctx) {
        throw AdapterError("cannot read GGUF file " + path);
    }
    return ctx;
}

std::string getStr(const gguf_context * ctx, const char * key) {
    const int64_t id = gguf_find_key(ctx, key);
    return id >= 0 && gguf_get_kv_type(ctx, id) == GGUF_TYPE_STRING ? gguf_get_val_str(ctx, id) : "";
}

uint64_t getU64(const gguf_context * ctx, const char * key) {
    const int64_t id = gguf_find_key(ctx, key);
    return id >= 0 && gguf_get_kv_type(ctx, id) == GGUF_TYPE_UINT64 ? gguf_get_val_u64(ctx, id) : 0;
}

uint32_t getU32(const gguf_context * ctx, const char * key) {
    const int64_t id = gguf_find_key(ctx, key);
    return id >= 0 && gguf_get_kv_type(ctx, id) == GGUF_TYPE_UINT32 ? gguf_get_val_u32(ctx, id) : 0;
}

float getF32(const gguf_context * ctx, const char * key) {
    const int64_t id = gguf_find_key(ctx, key);
    return id >= 0 && gguf_get_kv_type(ctx, id) == GGUF_TYPE_FLOAT32 ? gguf_get_val_f32(ctx, id) : 0.0f;
}

GgufPtr adapterHeader(const std::string & arch, float alpha) {
    GgufPtr ctx(gguf_init_empty());
    gguf_set_val_str(ctx.get(), "general.type", "adapter");
    gguf_set_val_str(ctx.get(), "general.architecture", arch.c_str());
    gguf_set_val_str(ctx.get(), "general.name", "clade-lora");
    gguf_set_val_str(ctx.get(), "adapter.type", "lora");
    gguf_set_val_f32(ctx.get(), "adapter.lora.alpha", alpha);
    return ctx;
}

void setMeta(gguf_context * ctx, const TrainMeta & meta) {
    gguf_set_val_u64(ctx, "clade.train.step", meta.step);
    gguf_set_val_u64(ctx, "clade.train.windows", meta.windows);
    gguf_set_val_u32(ctx, "clade.train.ctx", meta.ctx);
    gguf_set_val_u32(ctx, "clade.lora.rank", meta.rank);
    gguf_set_val_u32(ctx, "clade.train.seed", meta.seed);
    gguf_set_val_f32(ctx, "clade.train.loss", meta.loss);
    gguf_set_val_str(ctx, "clade.lora.targets", meta.targets.c_str());
}

// Writes to a temporary file first so a crash never leaves a half-written adapter behind.
void writeAtomically(const gguf_context * ctx, const std::string & path) {
    const std::string tmp = path + ".tmp";
    if (!gguf_write_to_file(ctx, tmp.c_str(), false)) {
        std::remove(tmp.c_str());
        throw AdapterError("cannot write " + path);
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        std::remove(tmp.c_str());
        throw AdapterError("cannot move " + tmp + " to " + path);
    }
}

// Host-memory tensors for adapters built here (initial and budget adapters).
struct HostTensors {
    GgmlPtr ctx;
    explicit HostTensors(size_t bytes) {
        ggml_init_params params = {bytes, nullptr, false};
        ctx.reset(ggml_init(params));
        if (!ctx) throw AdapterError("out of memory creating adapter tensors");
    }
    ggml_tensor * add(gguf_context * gguf, const std::string & name, int64_t ne0, int64_t ne1) {
        ggml_tensor * t = ggml_new_tensor_2d(ctx.get(), GGML_TYPE_F32, ne0, ne1);
        ggml_set_name(t, name.c_str());
        gguf_add_tensor(gguf, t);
        return t;
    }
};

size_t hostBytes(const std::vector<BaseWeight> & weights, int rank) {
    size_t bytes = 0;
    for (const BaseWeight & w : weights) {
        bytes += 2 * ggml_tensor_overhead() + sizeof(float) * static_cast<size_t>(rank * (w.nIn + w.nOut)) + 64;
    }
    return bytes + ggml_tensor_overhead();
}

} // namespace

BaseModelInfo readBaseModelInfo(const std::string & path) {
    GgufPtr ctx = openMeta(path);
    BaseModelInfo info;
    info.arch = getStr(ctx.get(), "general.architecture");
    if (info.arch.empty()) {
        throw AdapterError(path + " has no general.architecture: not a llama.cpp model GGUF");
    }
    info.nTensors = gguf_get_n_tensors(ctx.get());
    static const std::regex layerWeight(R"(^blk\.(\d+)\.([A-Za-z0-9_]+)\.weight$)");
    for (int64_t i = 0; i < info.nTensors; i++) {
        const std::string name = gguf_get_tensor_name(ctx.get(), i);
        std::smatch m;
        const int64_t * ne = gguf_get_tensor_ne(ctx.get(), i);
        if (std::regex_match(name, m, layerWeight) && ne[1] > 1 && ne[2] == 1 && ne[3] == 1) {
            info.layerWeights.push_back({name, m[2].str(), std::stoi(m[1].str()), ne[0], ne[1]});
        }
    }
    return info;
}

std::vector<BaseWeight> selectTargets(const BaseModelInfo & info, const std::vector<std::string> & targets) {
    std::vector<BaseWeight> selected;
    for (const std::string & target : targets) {
        if (target == "attn_k" || target == "attn_v") {
            throw TargetError("target module " + target + " cannot be trained: attention reads K and V through the KV cache, where no gradient flows, so its adapter would stay zero. Use attn_q, attn_output, ffn_gate, ffn_up, ffn_down");
        }
        size_t found = 0;
        for (const BaseWeight & w : info.layerWeights) {
            if (w.module == target) {
                selected.push_back(w);
                found++;
            }
        }
        if (found == 0) {
            std::set<std::string> modules;
            for (const BaseWeight & w : info.layerWeights) modules.insert(w.module);
            std::string have;
            for (const std::string & m : modules) have += (have.empty() ? "" : ",") + m;
            throw TargetError("this model has no 2-D weight for target module '" + target + "'; its per-layer modules are: " + (have.empty() ? "(none)" : have));
        }
    }
    return selected;
}

void writeInitialAdapter(const std::string & path, const std::string & arch, int rank, float alpha,
                         const std::vector<BaseWeight> & weights, uint32_t seed, const TrainMeta & meta) {
    GgufPtr gguf = adapterHeader(arch, alpha);
    setMeta(gguf.get(), meta);
    HostTensors host(hostBytes(weights, rank));
    std::mt19937 rng(seed);
    for (const BaseWeight & w : weights) {
        // Like PEFT's kaiming-uniform A; B = 0 makes the adapter start as a no-op.
        ggml_tensor * a = host.add(gguf.get(), w.name + ".lora_a", w.nIn, rank);
        ggml_tensor * b = host.add(gguf.get(), w.name + ".lora_b", rank, w.nOut);
        const float bound = 1.0f / std::sqrt(static_cast<float>(w.nIn));
        std::uniform_real_distribution<float> dist(-bound, bound);
        float * pa = static_cast<float *>(a->data);
        for (int64_t i = 0; i < ggml_nelements(a); i++) pa[i] = dist(rng);
        std::memset(b->data, 0, ggml_nbytes(b));
    }
    writeAtomically(gguf.get(), path);
}

void writeBudgetAdapter(const std::string & path, const std::string & arch, const std::vector<BaseWeight> & weights) {
    GgufPtr gguf = adapterHeader(arch, 1.0f);
    HostTensors host(hostBytes(weights, 1));
    for (const BaseWeight & w : weights) {
        ggml_tensor * a = host.add(gguf.get(), w.name + ".lora_a", w.nIn, 1);
        ggml_tensor * b = host.add(gguf.get(), w.name + ".lora_b", 1, w.nOut);
        std::memset(a->data, 0, ggml_nbytes(a));
        std::memset(b->data, 0, ggml_nbytes(b));
    }
    writeAtomically(gguf.get(), path);
}

void writeAdapterTensors(const std::string & path, const std::string & arch, float alpha,
                         const std::vector<ggml_tensor *> & tensors, const TrainMeta & meta) {
    GgufPtr gguf = adapterHeader(arch, alpha);
    setMeta(gguf.get(), meta);
    for (ggml_tensor * t : tensors) {
        gguf_add_tensor(gguf.get(), t); // the writer reads backend tensors with ggml_backend_tensor_get
    }
    writeAtomically(gguf.get(), path);
}

TrainMeta readAdapterMeta(const std::string & path, const std::string & arch, float * alpha) {
    GgufPtr ctx = openMeta(path);
    if (getStr(ctx.get(), "general.type") != "adapter" || getStr(ctx.get(), "adapter.type") != "lora") {
        throw AdapterError(path + " is not a LoRA adapter GGUF");
    }
    if (getStr(ctx.get(), "general.architecture") != arch) {
        throw AdapterError(path + " is an adapter for architecture '" + getStr(ctx.get(), "general.architecture") + "', the model is '" + arch + "'");
    }
    TrainMeta meta;
    meta.step = getU64(ctx.get(), "clade.train.step");
    meta.windows = getU64(ctx.get(), "clade.train.windows");
    meta.ctx = getU32(ctx.get(), "clade.train.ctx");
    meta.rank = getU32(ctx.get(), "clade.lora.rank");
    meta.seed = getU32(ctx.get(), "clade.train.seed");
    meta.loss = getF32(ctx.get(), "clade.train.loss");
    meta.targets = getStr(ctx.get(), "clade.lora.targets");
    if (alpha) *alpha = getF32(ctx.get(), "adapter.lora.alpha");
    return meta;
}

std::string optimizerStatePath(const std::string & checkpointPath) {
    return checkpointPath + ".adamw";
}

void writeOptimizerState(const std::string & path, const std::map<std::string, Moments> & moments, uint64_t step) {
    GgufPtr gguf(gguf_init_empty());
    gguf_set_val_str(gguf.get(), "general.type", "clade-optimizer-state");
    gguf_set_val_u64(gguf.get(), "clade.train.step", step);
    for (const auto & [name, mv] : moments) {
        // Copies of the tensor headers under new names; data still comes from the backend buffers.
        ggml_tensor m = *mv.m;
        ggml_tensor v = *mv.v;
        std::snprintf(m.name, sizeof(m.name), "%s", (name + ".m").c_str());
        std::snprintf(v.name, sizeof(v.name), "%s", (name + ".v").c_str());
        gguf_add_tensor(gguf.get(), &m);
        gguf_add_tensor(gguf.get(), &v);
    }
    writeAtomically(gguf.get(), path);
}

std::map<std::string, MomentsData> readOptimizerState(const std::string & path, uint64_t expectedStep) {
    std::map<std::string, MomentsData> out;
    ggml_context * raw = nullptr;
    GgufPtr gguf = openMeta(path, &raw);
    GgmlPtr data(raw);
    if (getU64(gguf.get(), "clade.train.step") != expectedStep) {
        throw AdapterError(path + " belongs to another checkpoint (step " + std::to_string(getU64(gguf.get(), "clade.train.step")) + ", expected " + std::to_string(expectedStep) + ")");
    }
    for (ggml_tensor * t = ggml_get_first_tensor(raw); t; t = ggml_get_next_tensor(raw, t)) {
        std::string name = t->name;
        const bool isM = name.size() > 2 && name.compare(name.size() - 2, 2, ".m") == 0;
        const bool isV = name.size() > 2 && name.compare(name.size() - 2, 2, ".v") == 0;
        if ((!isM && !isV) || t->type != GGML_TYPE_F32) continue;
        const float * p = static_cast<const float *>(t->data);
        std::vector<float> values(p, p + ggml_nelements(t));
        MomentsData & entry = out[name.substr(0, name.size() - 2)];
        (isM ? entry.m : entry.v) = std::move(values);
    }
    return out;
}

} // namespace clade
