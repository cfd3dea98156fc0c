#include "dataset.h"

#include <fstream>
#include <nlohmann/json.hpp>

namespace clade {

namespace {

nlohmann::json parseJson(const std::string & line, const std::string & where) {
    try {
        return nlohmann::json::parse(line);
    } catch (const std::exception & e) {
        throw DataError(where + ": not valid JSON (" + e.what() + ")");
    }
}

Sequence parseSequence(const nlohmann::json & j, const std::string & where, int32_t nVocab) {
    if (!j.is_object() || !j.contains("tokens") || !j["tokens"].is_array()) {
        throw DataError(where + ": expected an object with a \"tokens\" array");
    }
    Sequence seq;
    for (const auto & t : j["tokens"]) {
        if (!t.is_number_integer() || t.get<int64_t>() < 0 || t.get<int64_t>() >= nVocab) {
            throw DataError(where + ": token " + t.dump() + " is not an id in [0, " + std::to_string(nVocab) + ") of this model's vocabulary");
        }
        seq.tokens.push_back(t.get<int32_t>());
    }
    if (j.contains("mask")) {
        const auto & mask = j["mask"];
        if (!mask.is_array() || mask.size() != seq.tokens.size()) {
            throw DataError(where + ": \"mask\" must be an array as long as \"tokens\"");
        }
        for (const auto & m : mask) {
            const double w = m.is_boolean() ? (m.get<bool>() ? 1.0 : 0.0) : (m.is_number() ? m.get<double>() : -1.0);
            if (!(w >= 0.0 && w <= 1.0)) {
                throw DataError(where + ": mask values must be 0, 1 (or a weight in [0,1]), got " + m.dump());
            }
            seq.weights.push_back(static_cast<float>(w));
        }
    } else {
        seq.weights.assign(seq.tokens.size(), 1.0f);
    }
    return seq;
}

Sequence parseLine(const std::string & line, const std::string & where, int32_t nVocab) {
    return parseSequence(parseJson(line, where), where, nVocab);
}

template <typename Parse>
void forEachLine(const std::string & path, Parse parse) {
    std::ifstream in(path);
    if (!in) {
        throw DataError("cannot open data file " + path);
    }
    std::string line;
    for (size_t lineNo = 1; std::getline(in, line); lineNo++) {
        if (line.find_first_not_of(" \t\r") != std::string::npos) {
            parse(line, path + ":" + std::to_string(lineNo));
        }
    }
}

} // namespace

std::vector<PairSequences> loadPairs(const std::string & path, int32_t nVocab) {
    std::vector<PairSequences> pairs;
    forEachLine(path, [&](const std::string & line, const std::string & where) {
        const nlohmann::json j = parseJson(line, where);
        if (!j.is_object() || !j.contains("chosen") || !j.contains("rejected")) {
            throw DataError(where + ": a dpo line needs \"chosen\" and \"rejected\" objects ({\"tokens\":[...],\"mask\":[...]})");
        }
        pairs.push_back(PairSequences{parseSequence(j["chosen"], where + " (chosen)", nVocab), parseSequence(j["rejected"], where + " (rejected)", nVocab)});
    });
    return pairs;
}

std::vector<Sequence> loadSequences(const std::string & path, int32_t nVocab) {
    std::vector<Sequence> sequences;
    forEachLine(path, [&](const std::string & line, const std::string & where) { sequences.push_back(parseLine(line, where, nVocab)); });
    return sequences;
}

std::vector<Window> makeWindows(const std::vector<Sequence> & sequences, int32_t nCtx, int32_t padToken) {
    std::vector<Window> windows;
    for (const Sequence & seq : sequences) {
        const size_t n = seq.tokens.size();
        for (size_t start = 0; start + 1 < n; start += static_cast<size_t>(nCtx)) {
            Window w;
            w.tokens.assign(static_cast<size_t>(nCtx) + 1, padToken);
            w.labelWeights.assign(static_cast<size_t>(nCtx), 0.0f);
            for (size_t p = 0; p <= static_cast<size_t>(nCtx) && start + p < n; p++) {
                w.tokens[p] = seq.tokens[start + p];
                if (p > 0) {
                    w.labelWeights[p - 1] = seq.weights[start + p];
                    w.weightSum += seq.weights[start + p];
                }
            }
            if (w.weightSum > 0) {
                windows.push_back(std::move(w));
            }
        }
    }
    return windows;
}

} // namespace clade
