// A loaded base model + context with the LoRA adapter attached and llama.cpp's optimizer
// initialised for the adapter's tensors only.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "adapterFile.h"
#include "ggml-opt.h"
#include "graphHooks.h"
#include "options.h"

struct llama_model;
struct llama_context;
struct llama_adapter_lora;
struct ggml_tensor;

namespace clade {

// The directory of the prebuilt libllama this binary links (its ggml backends are loaded from there).
std::string llamaLibraryDirectory();


struct SessionError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class Session {
public:
    // Loads `opts.model`, then the adapter at `adapterPath` (initial or checkpoint) with the given
    // target weights; `getOptPars(userData)` gives the AdamW parameters of every optimizer step.
    Session(const Options & opts, const BaseModelInfo & info, const std::vector<BaseWeight> & targets,
            const std::string & adapterPath, ggml_opt_get_optimizer_params getOptPars, void * userData);
    ~Session();
    Session(const Session &) = delete;
    Session & operator=(const Session &) = delete;

    llama_context * context() const { return ctx_; }
    GraphHooks & hooks() { return hooks_; }
    const std::vector<ggml_tensor *> & trainable() const { return trainable_; }
    uint32_t nCtx() const { return nCtx_; }
    uint32_t nUbatch() const { return nUbatch_; }
    int32_t nVocab() const { return nVocab_; }
    int32_t padToken() const { return padToken_; }
    int64_t trainableParams() const;
    int64_t forwardNodes() const { return forwardNodes_; }
    int64_t graphBudget() const { return graphBudget_; }
    int budgetAdapters() const { return static_cast<int>(budget_.size()); }
    std::string backendName() const { return backendName_; }

private:
    void loadModel(const Options & opts);
    void createContext(const Options & opts);
    void warmUp(GraphHooks::Phase phase);
    void collectTrainable(const std::vector<BaseWeight> & targets);
    void ensureGraphBudget(const Options & opts, const BaseModelInfo & info);

    GraphHooks hooks_;
    llama_model * model_ = nullptr;
    llama_context * ctx_ = nullptr;
    llama_adapter_lora * adapter_ = nullptr;
    std::vector<llama_adapter_lora *> budget_;
    std::vector<ggml_tensor *> trainable_;
    uint32_t nCtx_ = 0;
    uint32_t nUbatch_ = 0;
    int32_t nVocab_ = 0;
    int32_t padToken_ = 0;
    int64_t forwardNodes_ = 0;
    int64_t graphBudget_ = 0;
    std::string backendName_;
};

} // namespace clade
