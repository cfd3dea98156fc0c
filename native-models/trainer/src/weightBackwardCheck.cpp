#include "weightBackwardCheck.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "events.h"
#include "ggml-alloc.h"
#include "ggml-backend.h"
#include "ggml.h"
#include "session.h"
#include "trainer.h"
#include "weightBackward.h"

namespace clade {

namespace {

struct Case {
    ggml_type type;
    int64_t nIn, nOut, nTok;
    const char * what;
};

// Weights stored as ggml would hold them: random floats quantized (or converted) to `type`.
std::vector<char> weightBytes(ggml_type type, int64_t nIn, int64_t nOut, std::mt19937 & rng) {
    std::normal_distribution<float> normal(0.0f, 0.05f);
    std::vector<float> f(static_cast<size_t>(nIn * nOut));
    for (float & x : f) x = normal(rng);
    std::vector<char> bytes(ggml_row_size(type, nIn) * static_cast<size_t>(nOut));
    if (type == GGML_TYPE_F32) {
        std::copy(reinterpret_cast<const char *>(f.data()), reinterpret_cast<const char *>(f.data() + f.size()), bytes.data());
    } else if (type == GGML_TYPE_F16) {
        ggml_fp32_to_fp16_row(f.data(), reinterpret_cast<ggml_fp16_t *>(bytes.data()), static_cast<int64_t>(f.size()));
    } else {
        ggml_quantize_chunk(type, f.data(), bytes.data(), 0, nOut, nIn, nullptr);
    }
    return bytes;
}

Json runCase(ggml_backend_t cpu, const Case & c, int threads, std::mt19937 & rng) {
    ggml_init_params params{};
    params.mem_size = 8 * ggml_tensor_overhead() + ggml_graph_overhead();
    params.no_alloc = true;
    ggml_context * ctx = ggml_init(params);
    ggml_tensor * w = ggml_new_tensor_2d(ctx, c.type, c.nIn, c.nOut);
    ggml_tensor * dy = ggml_new_tensor_2d(ctx, GGML_TYPE_F32, c.nOut, c.nTok); // d(loss)/d(W x): [n_out, tokens]
    ggml_tensor * out = ggml_out_prod(ctx, w, ggml_transpose(ctx, dy));      // how ggml's MUL_MAT backward builds it
    ggml_cgraph * graph = ggml_new_graph(ctx);
    ggml_build_forward_expand(graph, out);
    ggml_backend_buffer_t buffer = ggml_backend_alloc_ctx_tensors(ctx, cpu);

    const std::vector<char> wb = weightBytes(c.type, c.nIn, c.nOut, rng);
    ggml_backend_tensor_set(w, wb.data(), 0, wb.size());
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::vector<float> g(static_cast<size_t>(c.nOut * c.nTok));
    for (float & x : g) x = normal(rng);
    ggml_backend_tensor_set(dy, g.data(), 0, g.size() * sizeof(float));

    ggml_backend_graph_compute(cpu, graph);
    std::vector<float> reference(static_cast<size_t>(ggml_nelements(out)));
    ggml_backend_tensor_get(out, reference.data(), 0, reference.size() * sizeof(float));

    const bool eligible = weightBackwardEligible(out);
    std::fill(static_cast<float *>(out->data), static_cast<float *>(out->data) + reference.size(), NAN);
    if (eligible) weightBackward(out, threads);
    const float * mine = static_cast<const float *>(out->data);
    double maxError = 0, scale = 0;
    for (size_t i = 0; i < reference.size(); i++) {
        scale = std::max(scale, std::fabs(static_cast<double>(reference[i])));
        const double e = std::fabs(static_cast<double>(mine[i]) - reference[i]);
        maxError = std::isnan(e) ? INFINITY : std::max(maxError, e);
    }
    // F32 sums of n_out products in another order: a few ulps of the largest partial sums.
    const double tolerance = 1e-5 * scale * std::sqrt(static_cast<double>(c.nOut));
    const bool ok = eligible && maxError <= tolerance;
    ggml_backend_buffer_free(buffer);
    ggml_free(ctx);
    return Json{{"type", "check"}, {"case", c.what}, {"weightType", ggml_type_name(c.type)}, {"nIn", c.nIn}, {"nOut", c.nOut}, {"tokens", c.nTok},
                {"eligible", eligible}, {"maxAbsError", std::isfinite(maxError) ? Json(maxError) : Json(nullptr)}, {"maxAbsReference", scale},
                {"tolerance", tolerance}, {"ok", ok}};
}

} // namespace

int checkWeightBackward(int threads) {
    const std::string libDir = llamaLibraryDirectory();
    ggml_backend_load_all_from_path(libDir.empty() ? nullptr : libDir.c_str());
    ggml_backend_t cpu = ggml_backend_init_by_type(GGML_BACKEND_DEVICE_TYPE_CPU, nullptr);
    if (!cpu) {
        emitEvent(Json{{"type", "error"}, {"kind", "model"}, {"message", "no CPU backend could be loaded from " + libDir}});
        return kExitError;
    }
    ggml_backend_reg_t reg = ggml_backend_dev_backend_reg(ggml_backend_get_device(cpu));
    if (auto setThreads = reinterpret_cast<ggml_backend_set_n_threads_t>(ggml_backend_reg_get_proc_address(reg, "ggml_backend_set_n_threads"))) {
        setThreads(cpu, threads);
    }
    const Case cases[] = {
        {GGML_TYPE_Q8_0, 896, 300, 37, "q8_0 weight, odd token count"},
        {GGML_TYPE_Q4_0, 320, 130, 64, "q4_0 weight, partial feature chunk"},
        {GGML_TYPE_Q4_K, 512, 96, 19, "q4_K weight (256-wide blocks)"},
        {GGML_TYPE_Q6_K, 256, 70, 8, "q6_K weight"},
        {GGML_TYPE_Q5_K, 768, 33, 5, "q5_K weight, few tokens"},
        {GGML_TYPE_F16, 104, 50, 13, "f16 weight, width not a multiple of 16"},
        {GGML_TYPE_F32, 16, 256, 300, "f32, rank-16 result (LoRA B gradient)"},
        {GGML_TYPE_F32, 200, 16, 256, "f32, rank-16 reduction (through LoRA A)"},
    };
    std::mt19937 rng(7);
    bool allOk = true;
    for (const Case & c : cases) {
        const Json result = runCase(cpu, c, threads, rng);
        allOk = allOk && result["ok"].get<bool>();
        emitEvent(result);
    }
    ggml_backend_free(cpu);
    emitEvent(Json{{"type", "done"}, {"ok", allOk}, {"threads", threads}, {"isa", weightBackwardIsa()}});
    return allOk ? kExitOk : kExitError;
}

} // namespace clade
