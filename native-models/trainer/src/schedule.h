// Learning-rate schedule: linear warm-up, then constant or cosine decay to lrMin.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "options.h"

namespace clade {

inline float learningRateAt(const Options & o, int64_t step, int64_t totalSteps) {
    if (step < o.warmup) {
        return o.lr * static_cast<float>(step + 1) / static_cast<float>(o.warmup);
    }
    if (o.schedule == Schedule::Constant) {
        return o.lr;
    }
    const double span = static_cast<double>(std::max<int64_t>(1, totalSteps - o.warmup));
    const double progress = std::min(1.0, static_cast<double>(step - o.warmup) / span);
    const double cosine = 0.5 * (1.0 + std::cos(M_PI * progress));
    return static_cast<float>(o.lrMin + (o.lr - o.lrMin) * cosine);
}

} // namespace clade
