#include "weightBackward.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

#include "ggml-backend.h"
#include "ggml.h"

#if defined(__x86_64__) && defined(__GNUC__)
#define CLADE_X86_KERNELS 1
// GCC 12 warns inside its own intrinsics headers (_mm512_undefined_*) when they are inlined into the
// kernels below: a false positive.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#endif

namespace clade {

namespace {

// Panel sizes: KB weight rows x CW features of dequantized weights (128 KiB) stay in L2 while a tile's
// tokens are accumulated against them; the tokens' gradient values for the KB rows are gathered
// contiguously once per tile (tokens x KB floats) and reused for all of the tile's feature chunks.
constexpr int64_t kKB = 128;
constexpr int64_t kCW = 256;
constexpr int kMR = 4; // tokens per micro-tile

bool isHost(const ggml_tensor * t) {
    const ggml_tensor * base = t->view_src ? t->view_src : t;
    return base->buffer && ggml_backend_buffer_is_host(base->buffer);
}

// C[r][0..nr) (+)= sum_o a[r*lda + o] * b[o*ldb + 0..nr), r < mr: the generic (edge) kernel.
void microGeneric(const float * a, int64_t lda, const float * b, int64_t ldb, int64_t kb, float * const * c, int mr, int64_t nr, bool first) {
    for (int r = 0; r < mr; r++) {
        float * cr = c[r];
        if (first) std::fill(cr, cr + nr, 0.0f);
        for (int64_t o = 0; o < kb; o++) {
            const float ar = a[r * lda + o];
            const float * bo = b + o * ldb;
            for (int64_t j = 0; j < nr; j++) cr[j] += ar * bo[j];
        }
    }
}

#ifdef CLADE_X86_KERNELS
// kMR tokens x NV vectors: kMR * NV accumulators in registers; each weight row of the panel is loaded
// once per micro-tile and broadcast-multiplied by the kMR tokens' gradient values.
#define CLADE_MICRO_KERNEL(NAME, TARGET, LANES, NV)                                                                          \
    __attribute__((target(TARGET))) void NAME(const float * a, int64_t lda, const float * b, int64_t ldb, int64_t kb,         \
                                             float * const * c, bool first) {                                                \
        typedef float vec __attribute__((vector_size(LANES * 4)));                                                           \
        vec acc[kMR][NV];                                                                                                    \
        for (int r = 0; r < kMR; r++)                                                                                        \
            for (int v = 0; v < NV; v++) {                                                                                   \
                if (first) acc[r][v] = vec{} ; else std::memcpy(&acc[r][v], c[r] + v * LANES, sizeof(vec));                 \
            }                                                                                                                \
        for (int64_t o = 0; o < kb; o++) {                                                                                   \
            vec bv[NV];                                                                                                      \
            for (int v = 0; v < NV; v++) std::memcpy(&bv[v], b + o * ldb + v * LANES, sizeof(vec));                          \
            for (int r = 0; r < kMR; r++) {                                                                                  \
                const float s = a[r * lda + o];                                                                              \
                for (int v = 0; v < NV; v++) acc[r][v] += s * bv[v];                                                         \
            }                                                                                                                \
        }                                                                                                                    \
        for (int r = 0; r < kMR; r++)                                                                                        \
            for (int v = 0; v < NV; v++) std::memcpy(c[r] + v * LANES, &acc[r][v], sizeof(vec));                             \
    }

CLADE_MICRO_KERNEL(microAvx512, "avx512f,fma", 16, 4)  // 4 x 64 floats, 16 zmm accumulators
CLADE_MICRO_KERNEL(microAvx512n, "avx512f,fma", 16, 1) // 4 x 16 floats (narrow results: LoRA rank)
CLADE_MICRO_KERNEL(microAvx2, "avx2,fma", 8, 3)        // 4 x 24 floats, 12 ymm accumulators
CLADE_MICRO_KERNEL(microAvx2n, "avx2,fma", 8, 1)       // 4 x 8 floats

// q8_0 (the common quantized weight of small models): 32 int8 values and an f16 scale per block.
// ggml's to_float for it is portable scalar code; these read the same bytes.
struct BlockQ8 {
    uint16_t d;
    int8_t qs[32];
};
static_assert(sizeof(BlockQ8) == 34, "block_q8_0 layout");

__attribute__((target("avx512f,f16c"))) void dequantQ8Avx512(const void * x, float * y, int64_t n) {
    const auto * b = static_cast<const BlockQ8 *>(x);
    for (int64_t i = 0; i < n / 32; i++) {
        const __m512 d = _mm512_set1_ps(_cvtsh_ss(b[i].d));
        const __m128i lo = _mm_loadu_si128(reinterpret_cast<const __m128i *>(b[i].qs));
        const __m128i hi = _mm_loadu_si128(reinterpret_cast<const __m128i *>(b[i].qs + 16));
        _mm512_storeu_ps(y + 32 * i, _mm512_mul_ps(d, _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(lo))));
        _mm512_storeu_ps(y + 32 * i + 16, _mm512_mul_ps(d, _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(hi))));
    }
}

__attribute__((target("avx2,f16c"))) void dequantQ8Avx2(const void * x, float * y, int64_t n) {
    const auto * b = static_cast<const BlockQ8 *>(x);
    for (int64_t i = 0; i < n / 32; i++) {
        const __m256 d = _mm256_set1_ps(_cvtsh_ss(b[i].d));
        for (int k = 0; k < 4; k++) {
            const __m128i q = _mm_loadl_epi64(reinterpret_cast<const __m128i *>(b[i].qs + 8 * k));
            _mm256_storeu_ps(y + 32 * i + 8 * k, _mm256_mul_ps(d, _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(q))));
        }
    }
}

enum class Isa { Generic, Avx2, Avx512 };

// The best kernels this CPU runs; CLADE_WEIGHT_BACKWARD_ISA=avx2|generic picks a lesser one (the
// tests run every path on one machine). Decided once per process.
Isa activeIsa() {
    static const Isa isa = [] {
        __builtin_cpu_init();
        Isa best = Isa::Generic;
        if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c")) best = Isa::Avx512;
        else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c")) best = Isa::Avx2;
        const char * asked = std::getenv("CLADE_WEIGHT_BACKWARD_ISA");
        if (asked && std::strcmp(asked, "generic") == 0) return Isa::Generic;
        if (asked && std::strcmp(asked, "avx2") == 0 && best != Isa::Generic) return Isa::Avx2;
        return best;
    }();
    return isa;
}
#endif

struct Problem {
    const ggml_tensor * dst;
    const char * w;          // weight rows (quantized)
    size_t wRow;             // bytes per weight row
    size_t blockBytes;       // bytes per quantization block
    int64_t blockSize;       // features per quantization block
    ggml_to_float_t toFloat;  // null: F32 rows, copied
    const char * dy;         // src1: element (t, o) at t * dyT + o * dyO
    size_t dyT, dyO;
    int64_t nIn, nOut, nTok;
};

// The micro-kernels over a dequantized panel (kb weight rows x w features at column cs).
void microTiles(const float * gradsData, const float * panelData, int64_t kb, const Problem & p, int64_t cs, int64_t cw, int64_t t0, int64_t tb, int64_t nr, bool first) {
#ifdef CLADE_X86_KERNELS
    const Isa isa = activeIsa();
#else
    (void)nr;
#endif
    for (int64_t t = 0; t < tb; t += kMR) {
        const int mr = static_cast<int>(std::min<int64_t>(kMR, tb - t));
        float * c[kMR];
        for (int r = 0; r < mr; r++) {
            c[r] = reinterpret_cast<float *>(static_cast<char *>(p.dst->data) + static_cast<size_t>(t0 + t + r) * p.dst->nb[1]) + cs;
        }
        int64_t j = 0;
#ifdef CLADE_X86_KERNELS
        if (mr == kMR && nr > 0) {
            const float * a = gradsData + t * kKB;
            for (; j + nr <= cw; j += nr) {
                float * cj[kMR] = {c[0] + j, c[1] + j, c[2] + j, c[3] + j};
                if (isa == Isa::Avx512) {
                    microAvx512(a, kKB, panelData + j, kCW, kb, cj, first);
                } else {
                    microAvx2(a, kKB, panelData + j, kCW, kb, cj, first);
                }
            }
            const int64_t narrow = isa == Isa::Avx512 ? 16 : 8;
            for (; j + narrow <= cw; j += narrow) {
                float * cj[kMR] = {c[0] + j, c[1] + j, c[2] + j, c[3] + j};
                if (isa == Isa::Avx512) {
                    microAvx512n(a, kKB, panelData + j, kCW, kb, cj, first);
                } else {
                    microAvx2n(a, kKB, panelData + j, kCW, kb, cj, first);
                }
            }
        }
#endif
        if (j < cw) {
            float * cj[kMR];
            for (int r = 0; r < mr; r++) cj[r] = c[r] + j;
            microGeneric(gradsData + t * kKB, kKB, panelData + j, kCW, kb, cj, mr, cw - j, first);
        }
    }
}

// One tile: features [c0, c1) in chunks of `cw`, tokens [t0, t0 + tb), every weight row. The
// tokens' gradient values of a block of weight rows are gathered once for all the tile's chunks.
void tile(const Problem & p, int64_t c0, int64_t c1, int64_t cw, int64_t t0, int64_t tb, std::vector<float> & panel, std::vector<float> & grads) {
#ifdef CLADE_X86_KERNELS
    const Isa isa = activeIsa();
    const int64_t nr = isa == Isa::Avx512 ? 64 : isa == Isa::Avx2 ? 24 : 0;
#else
    const int64_t nr = 0;
#endif
    panel.resize(static_cast<size_t>(kKB * kCW));
    grads.resize(static_cast<size_t>(tb * kKB));
    for (int64_t o0 = 0; o0 < p.nOut; o0 += kKB) {
        const int64_t kb = std::min(kKB, p.nOut - o0);
        // Gathered in the gradient's memory order (a frozen weight's gradient is contiguous along
        // the outputs; a LoRA factor's along the tokens, where the other order misses the cache).
        if (p.dyO <= p.dyT) {
            for (int64_t t = 0; t < tb; t++) {
                const char * row = p.dy + static_cast<size_t>(t0 + t) * p.dyT + static_cast<size_t>(o0) * p.dyO;
                for (int64_t o = 0; o < kb; o++) grads[t * kKB + o] = *reinterpret_cast<const float *>(row + static_cast<size_t>(o) * p.dyO);
            }
        } else {
            for (int64_t o = 0; o < kb; o++) {
                const char * column = p.dy + static_cast<size_t>(t0) * p.dyT + static_cast<size_t>(o0 + o) * p.dyO;
                for (int64_t t = 0; t < tb; t++) grads[t * kKB + o] = *reinterpret_cast<const float *>(column + static_cast<size_t>(t) * p.dyT);
            }
        }
        const bool first = o0 == 0;
        for (int64_t cs = c0; cs < c1; cs += cw) {
            const int64_t w = std::min(cw, c1 - cs);
            const size_t blockOffset = static_cast<size_t>(cs / p.blockSize) * p.blockBytes;
            for (int64_t o = 0; o < kb; o++) {
                const char * row = p.w + static_cast<size_t>(o0 + o) * p.wRow + blockOffset;
                if (p.toFloat) {
                    p.toFloat(row, panel.data() + o * kCW, w);
                } else {
                    std::memcpy(panel.data() + o * kCW, row, static_cast<size_t>(w) * sizeof(float));
                }
            }
            microTiles(grads.data(), panel.data(), kb, p, cs, w, t0, tb, nr, first);
        }
    }
}

} // namespace

const char * weightBackwardIsa() {
#ifdef CLADE_X86_KERNELS
    const Isa isa = activeIsa();
    return isa == Isa::Avx512 ? "avx512" : isa == Isa::Avx2 ? "avx2" : "generic";
#else
    return "generic";
#endif
}

bool weightBackwardEligible(const ggml_tensor * t) {
    if (t->op != GGML_OP_OUT_PROD) return false;
    const ggml_tensor * w = t->src[0];
    const ggml_tensor * dy = t->src[1];
    if (!w || !dy || t->type != GGML_TYPE_F32 || dy->type != GGML_TYPE_F32) return false;
    if (w->type != GGML_TYPE_F32 && !ggml_get_type_traits(w->type)->to_float) return false;
    for (const ggml_tensor * x : {t, w, dy}) {
        if (x->ne[2] != 1 || x->ne[3] != 1 || !isHost(x) || !x->data) return false;
    }
    return t->nb[0] == sizeof(float) && w->nb[0] == ggml_type_size(w->type) && t->ne[0] == w->ne[0] && t->ne[1] == dy->ne[0] &&
           w->ne[1] == dy->ne[1] && w->ne[0] % ggml_blck_size(w->type) == 0;
}

void weightBackward(ggml_tensor * t, int threads) {
    const ggml_tensor * w = t->src[0];
    const ggml_tensor * dy = t->src[1];
    Problem p{};
    p.dst = t;
    p.w = static_cast<const char *>(w->data);
    p.wRow = w->nb[1];
    p.blockBytes = ggml_type_size(w->type);
    p.blockSize = ggml_blck_size(w->type);
    p.toFloat = w->type == GGML_TYPE_F32 ? nullptr : ggml_get_type_traits(w->type)->to_float;
#ifdef CLADE_X86_KERNELS
    if (w->type == GGML_TYPE_Q8_0) {
        const Isa isa = activeIsa();
        if (isa == Isa::Avx512) p.toFloat = dequantQ8Avx512;
        else if (isa == Isa::Avx2) p.toFloat = dequantQ8Avx2;
    }
#endif
    p.dy = static_cast<const char *>(dy->data);
    p.dyT = dy->nb[0];
    p.dyO = dy->nb[1];
    p.nIn = w->ne[0];
    p.nOut = w->ne[1];
    p.nTok = dy->ne[0];

    // Feature chunks aligned to the quantization block (K-quants: 256).
    const int64_t cw = std::max<int64_t>(p.blockSize, kCW / p.blockSize * p.blockSize);
    struct Tile { int64_t c0, c1, t0, tb; };
    std::vector<Tile> tiles;
    // The features split among the threads in whole chunks, every token in each tile: each weight is
    // dequantized once and each thread gathers the gradient once. Too few chunks for the threads:
    // the tokens are split as well.
    const int64_t chunks = (p.nIn + cw - 1) / cw;
    const int64_t groups = std::min<int64_t>(chunks, threads);
    const int64_t tokenBlocks = std::max<int64_t>(1, std::min<int64_t>((threads + groups - 1) / groups, (p.nTok + kMR - 1) / kMR));
    const int64_t tb = ((p.nTok + tokenBlocks - 1) / tokenBlocks + kMR - 1) / kMR * kMR;
    for (int64_t t0 = 0; t0 < p.nTok; t0 += tb) {
        for (int64_t g = 0; g < groups; g++) {
            const int64_t first = chunks * g / groups, last = chunks * (g + 1) / groups;
            tiles.push_back({first * cw, std::min(p.nIn, last * cw), t0, std::min(tb, p.nTok - t0)});
        }
    }
    const int n = std::max(1, std::min<int>(threads, static_cast<int>(tiles.size())));
    auto work = [&](int ith) {
        std::vector<float> panel, grads;
        for (size_t i = static_cast<size_t>(ith); i < tiles.size(); i += static_cast<size_t>(n)) {
            tile(p, tiles[i].c0, tiles[i].c1, cw, tiles[i].t0, tiles[i].tb, panel, grads);
        }
    };
    std::vector<std::thread> pool;
    for (int i = 1; i < n; i++) pool.emplace_back(work, i);
    work(0);
    for (std::thread & th : pool) th.join();
}

} // namespace clade
