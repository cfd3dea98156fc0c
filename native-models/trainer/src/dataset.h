// Training data: token sequences with a per-token loss weight, cut into fixed-size windows.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace clade {

// weights[i] is how much predicting tokens[i] (from tokens[0..i-1]) counts in the loss:
// 1 for the agent's own tokens, 0 for prompts, tool output and padding.
struct Sequence {
    std::vector<int32_t> tokens;
    std::vector<float>   weights;
};

// One training datapoint of exactly n_ctx positions: input tokens[0..n_ctx-1], at position p the
// label is tokens[p+1] with weight labelWeights[p].
struct Window {
    std::vector<int32_t> tokens;       // n_ctx + 1
    std::vector<float>   labelWeights; // n_ctx
    double               weightSum = 0;
    // 0: the gradient is that of the weighted mean loss (each row * w / weightSum). Otherwise that of
    // gradScale * the weighted *sum* of the negative log-likelihoods (dpo: +-beta * sigmoid(-z)).
    double               gradScale = 0;
};

// A preference pair (dpo): the chosen and the rejected sequence, each one window.
struct PairSequences {
    Sequence chosen;
    Sequence rejected;
};

struct DataError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Parses JSONL ({"tokens":[...], "mask":[...]} per line; blank lines skipped). Every token id must be
// in [0, nVocab). Throws DataError naming the file and line.
std::vector<Sequence> loadSequences(const std::string & path, int32_t nVocab);

// Parses dpo JSONL ({"chosen":{"tokens":[...],"mask":[...]},"rejected":{...}} per line).
std::vector<PairSequences> loadPairs(const std::string & path, int32_t nVocab);

// Cuts each sequence into consecutive windows of n_ctx predictions (a window of a long sequence
// starts where the previous one ended), pads the last window of each sequence with padToken at
// weight 0 and drops windows whose weights are all 0.
std::vector<Window> makeWindows(const std::vector<Sequence> & sequences, int32_t nCtx, int32_t padToken);

} // namespace clade
