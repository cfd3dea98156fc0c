// `clade-lora-train --check-weight-backward`: weightBackward against ggml's own CPU OUT_PROD on random
// problems of every weight type and shape class the trainer meets (quantized, F16, F32; wide, narrow,
// odd token counts). One JSON line per case; exit 0 when every case agrees within float rounding.
#pragma once

namespace clade {

int checkWeightBackward(int threads);

} // namespace clade
