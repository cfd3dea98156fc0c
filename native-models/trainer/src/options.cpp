#include "options.h"

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <map>
#include <sstream>
#include <thread>

namespace clade {

namespace {

int toInt(const std::string & flag, const std::string & v, long min, long max) {
    char * end = nullptr;
    const long n = std::strtol(v.c_str(), &end, 10);
    if (v.empty() || *end != '\0' || n < min || n > max) {
        std::ostringstream msg;
        msg << flag << " expects an integer in [" << min << ", " << max << "], got '" << v << "'";
        throw UsageError(msg.str());
    }
    return static_cast<int>(n);
}

float toFloat(const std::string & flag, const std::string & v, double min, double max) {
    char * end = nullptr;
    const double x = std::strtod(v.c_str(), &end);
    if (v.empty() || *end != '\0' || !(x >= min && x <= max)) {
        std::ostringstream msg;
        msg << flag << " expects a number in [" << min << ", " << max << "], got '" << v << "'";
        throw UsageError(msg.str());
    }
    return static_cast<float>(x);
}

std::vector<std::string> splitList(const std::string & v) {
    std::vector<std::string> items;
    std::stringstream ss(v);
    std::string item;
    while (std::getline(ss, item, ',')) {
        if (!item.empty()) {
            items.push_back(item);
        }
    }
    return items;
}

std::string defaultCheckpointPath(const std::string & out) {
    const std::string ext = ".gguf";
    const bool hasExt = out.size() > ext.size() && out.compare(out.size() - ext.size(), ext.size(), ext) == 0;
    return (hasExt ? out.substr(0, out.size() - ext.size()) : out) + ".ckpt.gguf";
}

} // namespace

std::string usageText() {
    return
        "usage: clade-lora-train --model BASE.gguf --data TRAIN.jsonl --out ADAPTER.gguf [options]\n"
        "  data: one JSON object per line, {\"tokens\":[ids...], \"mask\":[0|1...]}; mask[i]=1 trains the\n"
        "        model to predict tokens[i] (mask is optional: all ones); weights in [0,1] are allowed\n"
        "  --eval-data F        held-out JSONL, loss reported after each epoch\n"
        "  --rank N (8)  --alpha F (2*rank)  --targets attn_q,attn_output,ffn_gate,ffn_up,ffn_down\n"
        "  --lr F (2e-4)  --lr-min F (0)  --schedule cosine|constant  --warmup STEPS (0)\n"
        "  --weight-decay F (0)  --beta1 F (0.9)  --beta2 F (0.999)  --eps F (1e-8)\n"
        "  --epochs N (1)  --max-steps N  --ctx N (512; rounded up to a multiple of 256)\n"
        "  --ubatch N (128 for 256-token windows, halved as windows double, min 32)  --threads N  --seed N (42)  --gpu-layers N (-1 = all)\n"
        "  --checkpoint-every N (0)  --checkpoint F (<out>.ckpt.gguf)  --resume CKPT.gguf  --verbose\n"
        "  --ggml-backward      frozen quantized weights' gradients by ggml's own OUT_PROD (slow reference)\n"
        "  --check-weight-backward  compare Clade's kernel with ggml's OUT_PROD on random problems, then exit\n"
        "  --objective sft|dpo (sft)  --beta F (0.1): dpo data lines are {\"chosen\":{tokens,mask},\"rejected\":{...}};\n"
        "        each pair is two optimizer steps (chosen, then rejected), the reference is the starting adapter\n"
        "exit codes: 0 done, 1 error, 2 usage, 3 stopped by SIGTERM/SIGINT (checkpoint written)\n";
}

Options parseOptions(int argc, char ** argv) {
    Options o;
    using Setter = std::function<void(const std::string &)>;
    std::map<std::string, Setter> flags = {
        {"--model", [&](const std::string & v) { o.model = v; }},
        {"--data", [&](const std::string & v) { o.data = v; }},
        {"--eval-data", [&](const std::string & v) { o.evalData = v; }},
        {"--out", [&](const std::string & v) { o.out = v; }},
        {"--checkpoint", [&](const std::string & v) { o.checkpoint = v; }},
        {"--resume", [&](const std::string & v) { o.resume = v; }},
        {"--rank", [&](const std::string & v) { o.rank = toInt("--rank", v, 1, 1024); }},
        {"--alpha", [&](const std::string & v) { o.alpha = toFloat("--alpha", v, 1e-6, 1e6); }},
        {"--targets", [&](const std::string & v) { o.targets = splitList(v); }},
        {"--lr", [&](const std::string & v) { o.lr = toFloat("--lr", v, 1e-12, 10); }},
        {"--lr-min", [&](const std::string & v) { o.lrMin = toFloat("--lr-min", v, 0, 10); }},
        {"--warmup", [&](const std::string & v) { o.warmup = toInt("--warmup", v, 0, 100000000); }},
        {"--weight-decay", [&](const std::string & v) { o.weightDecay = toFloat("--weight-decay", v, 0, 1); }},
        {"--beta1", [&](const std::string & v) { o.beta1 = toFloat("--beta1", v, 0, 0.999999); }},
        {"--beta2", [&](const std::string & v) { o.beta2 = toFloat("--beta2", v, 0, 0.999999); }},
        {"--eps", [&](const std::string & v) { o.eps = toFloat("--eps", v, 0, 1); }},
        {"--epochs", [&](const std::string & v) { o.epochs = toInt("--epochs", v, 1, 100000); }},
        {"--max-steps", [&](const std::string & v) { o.maxSteps = toInt("--max-steps", v, 0, 2000000000); }},
        {"--ctx", [&](const std::string & v) { o.ctx = toInt("--ctx", v, 8, 1 << 20); }},
        {"--ubatch", [&](const std::string & v) { o.ubatch = toInt("--ubatch", v, 0, 1 << 20); }},
        {"--threads", [&](const std::string & v) { o.threads = toInt("--threads", v, 0, 1024); }},
        {"--seed", [&](const std::string & v) { o.seed = static_cast<uint32_t>(toInt("--seed", v, 0, 2147483647)); }},
        {"--checkpoint-every", [&](const std::string & v) { o.checkpointEvery = toInt("--checkpoint-every", v, 0, 2000000000); }},
        {"--gpu-layers", [&](const std::string & v) { o.gpuLayers = toInt("--gpu-layers", v, -1, 100000); }},
        {"--beta", [&](const std::string & v) { o.beta = toFloat("--beta", v, 1e-4, 100); }},
    };
    for (int i = 1; i < argc; i++) {
        const std::string arg = argv[i];
        if (arg == "--verbose") {
            o.verbose = true;
            continue;
        }
        if (arg == "--ggml-backward") {
            o.fastBackward = false;
            continue;
        }
        if (arg == "--check-weight-backward") {
            o.checkWeightBackward = true;
            continue;
        }
        if (arg == "--objective") {
            if (i + 1 >= argc) throw UsageError("--objective needs a value: sft or dpo");
            const std::string v = argv[++i];
            if (v == "sft") o.objective = Objective::Sft;
            else if (v == "dpo") o.objective = Objective::Dpo;
            else throw UsageError("--objective expects sft or dpo, got '" + v + "'");
            continue;
        }
        if (arg == "--schedule") {
            if (i + 1 >= argc) throw UsageError("--schedule needs a value: cosine or constant");
            const std::string v = argv[++i];
            if (v == "cosine") o.schedule = Schedule::Cosine;
            else if (v == "constant") o.schedule = Schedule::Constant;
            else throw UsageError("--schedule expects cosine or constant, got '" + v + "'");
            continue;
        }
        const auto it = flags.find(arg);
        if (it == flags.end()) {
            throw UsageError("unknown option '" + arg + "'");
        }
        if (i + 1 >= argc) {
            throw UsageError(arg + " needs a value");
        }
        it->second(argv[++i]);
    }
    if (o.threads == 0) {
        o.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    }
    if (o.checkWeightBackward) {
        return o;
    }
    if (o.model.empty() || o.data.empty() || o.out.empty()) {
        throw UsageError("--model, --data and --out are required");
    }
    if (o.targets.empty()) {
        throw UsageError("--targets must name at least one module");
    }
    if (o.alpha == 0.0f) {
        o.alpha = 2.0f * static_cast<float>(o.rank);
    }
    if (o.lrMin > o.lr) {
        throw UsageError("--lr-min must not exceed --lr");
    }
    if (o.checkpoint.empty()) {
        o.checkpoint = defaultCheckpointPath(o.out);
    }
    if (o.threads == 0) {
        o.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    }
    return o;
}

} // namespace clade
