#pragma once

// How each OOD score of the catalogue is computed. The catalogue (core/methods/score_catalog.h) describes a score
// and links nothing above its floor; its functions register here, on the evaluation floor, by the score's name.

#include <map>
#include <string>
#include <vector>

namespace tau::core {

struct ScoreBatch;     // score_context.h
struct ReferenceQuery; // likewise
struct OodEvaluationOptions;

/** One score's computation: batch by batch from the model's outputs, or for a whole set against a reference. */
struct ScoreFunctions
{
    std::vector<double> (*perBatch)(const ScoreBatch& batch) = nullptr;
    std::vector<double> (*againstReference)(const ReferenceQuery& query) = nullptr;
    /** Reference scores: whether the evaluation must embed the ID training set for it. */
    bool (*needsTrainFeatures)(const OodEvaluationOptions& options) = nullptr;
};

/** Every catalogue score's functions, by name (tst_method_catalog checks that each row has exactly one kind). */
const std::map<std::string, ScoreFunctions>& scoreFunctions();

/** The functions of score @p name. @throws TauError for a catalogue row without them. */
const ScoreFunctions& scoreFunctionsOf(const std::string& name);

} // namespace tau::core
