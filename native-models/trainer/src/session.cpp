#include "session.h"

#include <algorithm>
#include <cstdio>
#include <dlfcn.h>
#include <filesystem>
#include <set>
#include <system_error>

#include "ggml-backend.h"
#include "llama.h"
#include "events.h"
#include "log.h"

namespace clade {

namespace {

bool rejectBaseTensors(const ggml_tensor *, void *) {
    return false; // base weights stay frozen; only the adapter's tensors are parameters
}

// The default micro-batch: the largest power of two <= 256 with ubatch x window <= kAttentionRows
// (at least 32). The training graph keeps every layer's attention scores and softmax, ubatch x n_kv x
// heads floats each, for the backward: on a 7B model with an 8k window that is ~14 GB at ubatch 256
// and ~1.7 GB at 32 (`clade bench train` prints the estimate). Measured on the 0.5B shape, 256-token
// windows, 1 thread: ubatch 256 / 128 / 64 -> 31.5 / 29.4 / 26.4 tokens/s, peak 1.93 / 1.41 / 1.14 GB.
constexpr uint32_t kMaxUbatch = 256;
constexpr uint32_t kMinUbatch = 32;
constexpr uint64_t kAttentionRows = 32768;

uint32_t defaultUbatch(uint32_t nCtx) {
    uint32_t u = kMaxUbatch;
    while (u > kMinUbatch && static_cast<uint64_t>(u) * nCtx > kAttentionRows) u /= 2;
    return std::min(u, nCtx);
}

uint32_t padTo256(int n) {
    return static_cast<uint32_t>((n + 255) / 256 * 256);
}

} // namespace

// The prebuilt ggml loads its backends (libggml-cpu-<arch>.so, libggml-cuda.so, ...) at run time;
// they sit next to the libllama this binary was linked against.
std::string llamaLibraryDirectory() {
    Dl_info info{};
    if (dladdr(reinterpret_cast<void *>(&llama_backend_init), &info) == 0 || !info.dli_fname) {
        return "";
    }
    const std::string path = info.dli_fname;
    const size_t slash = path.find_last_of('/');
    return slash == std::string::npos ? "." : path.substr(0, slash);
}

Session::Session(const Options & opts, const BaseModelInfo & info, const std::vector<BaseWeight> & targets,
                 const std::string & adapterPath, ggml_opt_get_optimizer_params getOptPars, void * userData) {
    loadModel(opts);
    createContext(opts);
    adapter_ = llama_adapter_lora_init(model_, adapterPath.c_str());
    if (!adapter_) {
        throw SessionError("llama.cpp could not load the adapter " + adapterPath + ": " + lastLlamaError());
    }
    float scale = 1.0f;
    llama_set_adapters_lora(ctx_, &adapter_, 1, &scale);
    warmUp(GraphHooks::Phase::Collect);
    forwardNodes_ = hooks_.nodeCount();
    collectTrainable(targets);
    ensureGraphBudget(opts, info);

    llama_opt_params params{};
    params.n_ctx_train = 0;
    params.param_filter = rejectBaseTensors;
    params.param_filter_ud = nullptr;
    params.get_opt_pars = getOptPars;
    params.get_opt_pars_ud = userData;
    params.optimizer_type = GGML_OPT_OPTIMIZER_TYPE_ADAMW;
    llama_opt_init(ctx_, model_, params);
    hooks_.setWeightBackwardThreads(opts.fastBackward ? opts.threads : 0);
}

Session::~Session() {
    if (ctx_) llama_free(ctx_);
    if (model_) llama_model_free(model_); // frees the adapters too
    llama_backend_free();
}

// Whether `dir` holds a GPU backend of ggml (a CUDA, Vulkan or Metal build of node-llama-cpp's libraries).
static bool hasGpuBackendLibrary(const std::string & dir) {
    std::error_code ec;
    if (dir.empty() || !std::filesystem::is_directory(dir, ec)) return false;
    for (const auto & entry : std::filesystem::directory_iterator(dir, ec)) {
        const std::string name = entry.path().filename().string();
        for (const char * gpu : {"libggml-cuda", "libggml-vulkan", "libggml-metal", "ggml-cuda.dll", "ggml-vulkan.dll"}) {
            if (name.rfind(gpu, 0) == 0) return true;
        }
    }
    return false;
}

void Session::loadModel(const Options & opts) {
    const std::string libDir = llamaLibraryDirectory();
    ggml_backend_load_all_from_path(libDir.empty() ? nullptr : libDir.c_str());
    llama_backend_init();
    if (ggml_backend_dev_count() == 0) {
        throw SessionError("no ggml backend could be loaded from " + libDir + " (libggml-cpu-*.so missing?)");
    }
    // The device that trains: the first GPU when layers are offloaded (--gpu-layers != 0), else the CPU.
    std::string cpuName, gpuName;
    for (size_t i = 0; i < ggml_backend_dev_count(); i++) {
        ggml_backend_dev_t dev = ggml_backend_dev_get(i);
        std::string & slot = ggml_backend_dev_type(dev) == GGML_BACKEND_DEVICE_TYPE_CPU ? cpuName : gpuName;
        if (slot.empty()) slot = ggml_backend_dev_name(dev);
    }
    backendName_ = opts.gpuLayers != 0 && !gpuName.empty() ? gpuName : cpuName;
    if (gpuName.empty() && (opts.gpuLayers > 0 || (opts.gpuLayers != 0 && hasGpuBackendLibrary(libDir)))) {
        // llama.cpp would quietly keep every layer on the CPU. Said when layers were asked for by
        // number, or when this is a GPU build (its folder holds libggml-cuda / -vulkan / -metal) whose
        // GPU did not load: no device, or its driver runtime is missing.
        emitWarning("--gpu-layers " + std::to_string(opts.gpuLayers) + " asks for GPU offload, but no GPU backend could be loaded from " +
                    (libDir.empty() ? std::string("the default library path") : libDir) +
                    " (a CPU-only trainer build, no GPU, or a missing driver runtime): training on the CPU (" + cpuName + ")");
    }
    llama_model_params mp = llama_model_default_params();
    mp.n_gpu_layers = opts.gpuLayers;
    mp.use_extra_bufts = false; // repacked weight layouts have no backward pass
    model_ = llama_model_load_from_file(opts.model.c_str(), mp);
    if (!model_) {
        throw SessionError("llama.cpp could not load the model " + opts.model + ": " + lastLlamaError());
    }
    const llama_vocab * vocab = llama_model_get_vocab(model_);
    nVocab_ = llama_vocab_n_tokens(vocab);
    const llama_token eos = llama_vocab_eos(vocab);
    padToken_ = eos >= 0 && eos < nVocab_ ? eos : 0;
}

void Session::createContext(const Options & opts) {
    nCtx_ = padTo256(opts.ctx); // llama.cpp pads the context to 256; windows must match it exactly
    // Micro-batches (defaultUbatch): the same gradients as one batch of the whole window (the loss
    // matches to the last digit), in less time and memory on CPU (measured: 1,536-token windows of
    // the agent test model, 2 threads, whole window -> 256: 1,183 -> 2,439 tokens/s, 347 -> 108 MB),
    // because attention then spans ubatch x n_kv rather than n_ctx x n_ctx.
    nUbatch_ = opts.ubatch > 0 ? static_cast<uint32_t>(opts.ubatch) : defaultUbatch(nCtx_);
    if (nCtx_ % nUbatch_ != 0) {
        throw SessionError("--ubatch " + std::to_string(nUbatch_) + " must divide the context size " + std::to_string(nCtx_));
    }
    llama_context_params cp = llama_context_default_params();
    cp.n_ctx = nCtx_;
    cp.n_batch = nCtx_;
    cp.n_ubatch = nUbatch_;
    cp.n_seq_max = 1;
    cp.n_threads = opts.threads;
    cp.n_threads_batch = opts.threads;
    cp.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_DISABLED; // FLASH_ATTN_EXT has no backward pass
    cp.type_k = GGML_TYPE_F32; // OUT_PROD (backward of matmuls through the cache) needs F32
    cp.type_v = GGML_TYPE_F32;
    cp.cb_eval = GraphHooks::evalCallback;
    cp.cb_eval_user_data = &hooks_;
    cp.no_perf = true;
    ctx_ = llama_init_from_model(model_, cp);
    if (!ctx_) {
        throw SessionError("llama.cpp could not create a context of " + std::to_string(nCtx_) + " tokens: " + lastLlamaError());
    }
    if (llama_n_ctx(ctx_) != nCtx_) {
        throw SessionError("llama.cpp made a context of " + std::to_string(llama_n_ctx(ctx_)) + " tokens instead of " + std::to_string(nCtx_));
    }
}

// One-token decode: builds the graph (and, after adapter changes, re-reserves the scheduler).
void Session::warmUp(GraphHooks::Phase phase) {
    hooks_.setPhase(phase);
    hooks_.resetNodeCount();
    llama_token token = llama_vocab_bos(llama_model_get_vocab(model_));
    if (token < 0 || token >= nVocab_) token = 0;
    const int rc = llama_decode(ctx_, llama_batch_get_one(&token, 1));
    hooks_.setPhase(GraphHooks::Phase::Idle);
    if (rc != 0) {
        throw SessionError("warm-up decode failed (" + std::to_string(rc) + "): " + lastLlamaError());
    }
    llama_memory_clear(llama_get_memory(ctx_), true);
}

void Session::collectTrainable(const std::vector<BaseWeight> & targets) {
    const auto & found = hooks_.loraTensors();
    std::vector<std::string> missing;
    for (const BaseWeight & w : targets) {
        for (const char * suffix : {".lora_a", ".lora_b"}) {
            const auto it = found.find(w.name + suffix);
            if (it == found.end()) {
                missing.push_back(w.name + suffix);
            } else {
                trainable_.push_back(it->second);
            }
        }
    }
    if (trainable_.empty()) {
        throw SessionError("none of the adapter's tensors appear in the model's graph: this architecture does not apply LoRA to the target modules");
    }
    if (!missing.empty()) {
        emitWarning(std::to_string(missing.size()) + " adapter tensors are not used by this model's graph and stay untrained (first: " + missing.front() + ")");
    }
    for (ggml_tensor * t : trainable_) {
        if (t->type != GGML_TYPE_F32) {
            throw SessionError(std::string("adapter tensor ") + t->name + " is not F32; only F32 adapters can be trained");
        }
        ggml_set_param(t);
    }
}

// llama.cpp sizes every graph (and the scheduler) by max(1024, 8 * model tensors) plus 6 nodes per
// loaded LoRA pair; the training graph (forward + backward + optimizer) is several times the forward
// graph and overflows that on deep models (GGML_ASSERT cgraph->n_nodes < cgraph->size). Every loaded
// adapter counts, attached or not, so loading a cheap rank-1 "budget" adapter a few times raises it.
void Session::ensureGraphBudget(const Options & opts, const BaseModelInfo & info) {
    const int64_t pairs = static_cast<int64_t>(trainable_.size() / 2);
    graphBudget_ = std::max<int64_t>(1024, 8 * info.nTensors) + 6 * pairs;
    const int64_t required = 4 * forwardNodes_ + 64;
    if (required <= graphBudget_) {
        return;
    }
    const int64_t perAdapter = 6 * static_cast<int64_t>(info.layerWeights.size());
    const int64_t count = (required - graphBudget_ + perAdapter - 1) / perAdapter;
    const std::string path = opts.checkpoint + ".budget.tmp.gguf";
    writeBudgetAdapter(path, info.arch, info.layerWeights);
    for (int64_t i = 0; i < count; i++) {
        llama_adapter_lora * extra = llama_adapter_lora_init(model_, path.c_str());
        if (!extra) {
            std::remove(path.c_str());
            throw SessionError("could not load the graph-budget adapter: " + lastLlamaError());
        }
        budget_.push_back(extra);
    }
    std::remove(path.c_str());
    graphBudget_ += count * perAdapter;
    // Detach and re-attach so the next decode re-reserves the scheduler with the larger budget.
    llama_set_adapters_lora(ctx_, nullptr, 0, nullptr);
    float scale = 1.0f;
    llama_set_adapters_lora(ctx_, &adapter_, 1, &scale);
    warmUp(GraphHooks::Phase::Idle);
}

int64_t Session::trainableParams() const {
    int64_t n = 0;
    for (ggml_tensor * t : trainable_) n += ggml_nelements(t);
    return n;
}

} // namespace clade
