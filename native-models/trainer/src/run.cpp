#include "run.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "events.h"
#include "llama.h"
#include "schedule.h"

namespace clade {

namespace {

// AdamW parameters of the step being computed, handed to ggml through getOptimizerParams.
ggml_opt_optimizer_params g_optPars = {};
GraphHooks * g_hooks = nullptr;

ggml_opt_optimizer_params getOptimizerParams(void *) {
    return g_optPars;
}

// Called by llama_opt_epoch after every micro-batch: the hooks' next rows belong to the next one.
void onMicroBatch(bool, ggml_opt_context_t, ggml_opt_dataset_t, ggml_opt_result_t, int64_t, int64_t, int64_t) {
    if (g_hooks) g_hooks->nextUbatch();
}

std::string joinTargets(const std::vector<std::string> & targets) {
    std::string s;
    for (const auto & t : targets) s += (s.empty() ? "" : ",") + t;
    return s;
}

std::vector<std::string> splitTargets(const std::string & list) {
    std::vector<std::string> out;
    std::string item;
    for (char c : list + ",") {
        if (c != ',') {
            item += c;
        } else if (!item.empty()) {
            out.push_back(item);
            item.clear();
        }
    }
    return out;
}

} // namespace

double msSince(Clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

Run::~Run() {
    if (dataset) ggml_opt_dataset_free(dataset);
    if (result) ggml_opt_result_free(result);
}

std::string Run::resolveAdapter() {
    if (opts.resume.empty()) {
        targetNames = opts.targets;
        rank = opts.rank;
        alpha = opts.alpha;
        const std::string path = opts.checkpoint + ".init.tmp.gguf";
        TrainMeta m{0, 0, 0, static_cast<uint32_t>(rank), opts.seed, 0.0f, joinTargets(targetNames)};
        writeInitialAdapter(path, info.arch, rank, alpha, selectTargets(info, targetNames), opts.seed, m);
        return path;
    }
    // The checkpoint is itself an adapter: its rank, alpha and targets win over the command line.
    resumeMeta = readAdapterMeta(opts.resume, info.arch, &alpha);
    if (resumeMeta.targets.empty() || resumeMeta.rank == 0) {
        throw AdapterError(opts.resume + " has no clade.* training metadata: it was not written by clade-lora-train");
    }
    targetNames = splitTargets(resumeMeta.targets);
    rank = static_cast<int>(resumeMeta.rank);
    startStep = resumeMeta.step;
    const std::string optPath = optimizerStatePath(opts.resume);
    if (std::FILE * f = std::fopen(optPath.c_str(), "rb")) {
        std::fclose(f);
        restoreMoments = readOptimizerState(optPath, resumeMeta.step);
    } else if (resumeMeta.step > 0) {
        emitWarning("no optimizer state next to the checkpoint (" + optPath + "): AdamW moments restart from zero");
    }
    return opts.resume;
}

void Run::openSession(const std::string & adapterPath) {
    const std::vector<BaseWeight> targets = selectTargets(info, targetNames);
    try {
        session = std::make_unique<Session>(opts, info, targets, adapterPath, getOptimizerParams, nullptr);
    } catch (...) {
        if (opts.resume.empty()) std::remove(adapterPath.c_str());
        throw;
    }
    if (opts.resume.empty()) std::remove(adapterPath.c_str());
    g_hooks = &session->hooks();
    session->hooks().setPendingRestore(std::move(restoreMoments));
}

// dpo: each side of a pair must be one window with something to train.
static std::vector<Window> pairWindows(const std::string & path, int32_t nVocab, int32_t nCtx, int32_t padToken) {
    std::vector<Window> windows;
    const std::vector<PairSequences> pairs = loadPairs(path, nVocab);
    for (size_t i = 0; i < pairs.size(); i++) {
        for (const Sequence * side : {&pairs[i].chosen, &pairs[i].rejected}) {
            std::vector<Window> w = makeWindows({*side}, nCtx, padToken);
            if (w.size() != 1) {
                throw DataError(path + ": pair " + std::to_string(i + 1) + ": each side must fit one window of " + std::to_string(nCtx) +
                                " tokens and have a token with a non-zero mask (raise --ctx or shorten it)");
            }
            windows.push_back(std::move(w[0]));
        }
    }
    return windows;
}

void Run::loadData() {
    const auto nCtx = static_cast<int32_t>(session->nCtx());
    windows = opts.objective == Objective::Dpo ? pairWindows(opts.data, session->nVocab(), nCtx, session->padToken())
                                               : makeWindows(loadSequences(opts.data, session->nVocab()), nCtx, session->padToken());
    if (windows.empty()) {
        throw DataError(opts.data + " has no token with a non-zero mask to train on");
    }
    if (!opts.evalData.empty()) {
        evalWindows = makeWindows(loadSequences(opts.evalData, session->nVocab()), nCtx, session->padToken());
    }
    totalSteps = static_cast<int64_t>(windows.size()) * opts.epochs;
    if (opts.maxSteps > 0) totalSteps = std::min<int64_t>(totalSteps, opts.maxSteps);
    if (opts.objective == Objective::Dpo) totalSteps -= totalSteps % 2; // whole pairs
    if (!opts.resume.empty() && (resumeMeta.windows != windows.size() || resumeMeta.ctx != session->nCtx())) {
        throw AdapterError("checkpoint " + opts.resume + " was made with " + std::to_string(resumeMeta.windows) + " windows of " +
                           std::to_string(resumeMeta.ctx) + " tokens; this data gives " + std::to_string(windows.size()) + " of " +
                           std::to_string(session->nCtx()) + ": resume with the same data and --ctx");
    }
    dataset = ggml_opt_dataset_init(GGML_TYPE_I32, GGML_TYPE_I32, nCtx, nCtx, 1, 1);
    result = ggml_opt_result_init();
    if (opts.objective == Objective::Dpo) {
        // The reference policy: the adapter as training starts (B = 0 for a fresh one: the base model).
        refLogProbs.reserve(windows.size());
        for (const Window & w : windows) refLogProbs.push_back(logProb(w));
    }
}

void Run::emitStart() const {
    const Session & s = *session;
    emitEvent(Json{{"type", "start"}, {"windows", windows.size()}, {"evalWindows", evalWindows.size()}, {"steps", totalSteps},
                   {"startStep", startStep}, {"contextSize", s.nCtx()}, {"ubatch", s.nUbatch()}, {"rank", rank}, {"alpha", alpha},
                   {"targets", targetNames}, {"trainableTensors", s.trainable().size()}, {"trainableParams", s.trainableParams()},
                   {"forwardNodes", s.forwardNodes()}, {"graphBudget", s.graphBudget()}, {"budgetAdapters", s.budgetAdapters()},
                   {"backend", s.backendName()}, {"threads", opts.threads}, {"weightBackward", opts.fastBackward ? "clade" : "ggml"},
                   {"objective", opts.objective == Objective::Dpo ? "dpo" : "sft"}, {"beta", opts.beta}});
}

TrainMeta Run::meta(uint64_t step, float loss) const {
    return TrainMeta{step, windows.size(), session->nCtx(), static_cast<uint32_t>(rank), opts.seed, loss, joinTargets(targetNames)};
}

void Run::writeCheckpoint(uint64_t step, float loss) {
    writeAdapterTensors(opts.checkpoint, info.arch, alpha, session->trainable(), meta(step, loss));
    const std::string optPath = optimizerStatePath(opts.checkpoint);
    if (!session->hooks().moments().empty()) {
        writeOptimizerState(optPath, session->hooks().moments(), step);
    }
    emitEvent(Json{{"type", "checkpoint"}, {"path", opts.checkpoint}, {"optimizerPath", optPath}, {"step", step}});
}

void Run::loadWindow(const Window & w) {
    auto * data = static_cast<int32_t *>(ggml_opt_dataset_data(dataset)->data);
    auto * labels = static_cast<int32_t *>(ggml_opt_dataset_labels(dataset)->data);
    std::copy(w.tokens.begin(), w.tokens.end() - 1, data);
    std::copy(w.tokens.begin() + 1, w.tokens.end(), labels);
    session->hooks().beginWindow(&w, session->nUbatch());
    ggml_opt_result_reset(result);
}

double Run::trainWindow(const Window & w, uint64_t step) {
    loadWindow(w);
    const double t = static_cast<double>(step + 1); // AdamW's 1-based step, global across resumes
    lastLearningRate = std::max(learningRateAt(opts, static_cast<int64_t>(step), totalSteps), 1e-12f);
    g_optPars.adamw = {lastLearningRate, opts.beta1, opts.beta2, opts.eps, opts.weightDecay};
    GraphHooks & hooks = session->hooks();
    hooks.setBiasCorrections(static_cast<float>(1.0 / (1.0 - std::pow(opts.beta1, t))),
                             static_cast<float>(1.0 / (1.0 - std::pow(opts.beta2, t))));
    hooks.setPhase(GraphHooks::Phase::Train);
    hooks.resetNodeCount();
    llama_opt_epoch(session->context(), dataset, result, nullptr, 1, onMicroBatch, nullptr);
    hooks.setPhase(GraphHooks::Phase::Idle);
    hooks.zeroGradients(); // the next window starts a new optimizer period
    trainNodes = std::max(trainNodes, hooks.nodeCount() / static_cast<int64_t>(session->nCtx() / session->nUbatch()));
    if (!hooks.error().empty()) {
        throw std::runtime_error("training step failed: " + hooks.error());
    }
    if (hooks.pendingRestoreCount() > 0) {
        throw std::runtime_error("the checkpoint's optimizer state names tensors this adapter does not train");
    }
    return hooks.weightSeen() > 0 ? hooks.lossSum() / hooks.weightSeen() : 0.0;
}

double Run::logProb(const Window & w) {
    GraphHooks & hooks = session->hooks();
    loadWindow(w);
    hooks.setPhase(GraphHooks::Phase::Eval);
    llama_opt_epoch(session->context(), dataset, nullptr, result, 0, nullptr, onMicroBatch);
    hooks.setPhase(GraphHooks::Phase::Idle);
    if (!hooks.error().empty()) throw std::runtime_error("evaluation failed: " + hooks.error());
    return -hooks.lossSum();
}

double Run::evaluate() {
    GraphHooks & hooks = session->hooks();
    double lossSum = 0, weight = 0;
    for (const Window & w : evalWindows) {
        loadWindow(w);
        hooks.setPhase(GraphHooks::Phase::Eval);
        llama_opt_epoch(session->context(), dataset, nullptr, result, 0, nullptr, onMicroBatch);
        hooks.setPhase(GraphHooks::Phase::Idle);
        lossSum += hooks.lossSum();
        weight += hooks.weightSeen();
    }
    if (!hooks.error().empty()) throw std::runtime_error("evaluation failed: " + hooks.error());
    return weight > 0 ? lossSum / weight : 0.0;
}

} // namespace clade
