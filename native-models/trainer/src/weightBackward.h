// The activation gradient of a frozen, quantized matmul, computed by Clade instead of ggml's CPU
// OUT_PROD.
//
// ggml differentiates y = W x (MUL_MAT) with respect to x as OUT_PROD(W, transpose(dy)). Its CPU
// kernel for a quantized (or F16) W dequantizes every row of W once per *token* — for a 256-token
// micro-batch each weight is dequantized 256 times — and then adds it with an unblocked axpy
// (profiled: 65% of a LoRA step in dequantize_row_q8_0, 15% in the axpy). That product is the bulk of
// a LoRA step on the CPU: every frozen weight of every layer, and the output head.
//
// The same product as a blocked GEMM: dx[t, :] = sum_o dy[o, t] * W[o, :] (W's rows are the output
// features, n_in floats each). A tile of W's rows is dequantized once per tile of tokens into a small
// float panel, and a register-blocked micro-kernel accumulates 4 tokens x 64 features at a time.
// Same arithmetic (F32 accumulation of the dequantized weights); the summation order differs, so
// results agree with ggml's to float rounding, not bit for bit.
//
// Used through the scheduler's eval callback (graphHooks): asked about an eligible OUT_PROD, the
// hooks mark it as a no-op for ggml, and when the scheduler reaches it they compute it here.
#pragma once

struct ggml_tensor;

namespace clade {

// True when `t` is an OUT_PROD this kernel computes: 2-D, F32 result and gradient, a quantized or
// F16 weight (one ggml can dequantize), all three in host memory.
bool weightBackwardEligible(const ggml_tensor * t);

// Computes t = OUT_PROD(t->src[0], t->src[1]) with `threads` threads.
void weightBackward(ggml_tensor * t, int threads);

// The kernels in use: "avx512", "avx2" or "generic" (CLADE_WEIGHT_BACKWARD_ISA picks a lesser one).
const char * weightBackwardIsa();

} // namespace clade
