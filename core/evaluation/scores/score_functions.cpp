#include "core/evaluation/scores/score_functions.h"

#include "core/common/error.h"

namespace tau::core {

// Each function is defined beside it under core/evaluation/scores/.
std::vector<double> temperatureCertainty(const ScoreBatch&);
std::vector<double> squaredTemperatureLogit(const ScoreBatch&);
std::vector<double> negativeHibVariance(const ScoreBatch&);
std::vector<double> maxSoftmaxProbability(const ScoreBatch&);
std::vector<double> odinScore(const ScoreBatch&);
std::vector<double> energyScore(const ScoreBatch&);
std::vector<double> mcDropoutAgreement(const ScoreBatch&);
std::vector<double> ensembleAgreement(const ScoreBatch&);
std::vector<double> knnDistanceScore(const ReferenceQuery&);
bool knnNeedsTrainFeatures(const OodEvaluationOptions&);
std::vector<double> mahalanobisScore(const ReferenceQuery&);
bool mahalanobisNeedsTrainFeatures(const OodEvaluationOptions&);
std::vector<double> certaintyDensityScore(const ReferenceQuery&);

namespace {

ScoreFunctions perBatch(std::vector<double> (*compute)(const ScoreBatch&))
{
    ScoreFunctions functions;
    functions.perBatch = compute;
    return functions;
}

ScoreFunctions againstReference(std::vector<double> (*compute)(const ReferenceQuery&),
                                bool (*needsTrain)(const OodEvaluationOptions&))
{
    ScoreFunctions functions;
    functions.againstReference = compute;
    functions.needsTrainFeatures = needsTrain;
    return functions;
}

} // namespace

const std::map<std::string, ScoreFunctions>& scoreFunctions()
{
    static const std::map<std::string, ScoreFunctions> functions = {
        {"tau", perBatch(&temperatureCertainty)},
        {"tau_repo", perBatch(&squaredTemperatureLogit)},
        {"mc_dropout", perBatch(&mcDropoutAgreement)},
        {"ensemble", perBatch(&ensembleAgreement)},
        {"knn", againstReference(&knnDistanceScore, &knnNeedsTrainFeatures)},
        {"mahalanobis", againstReference(&mahalanobisScore, &mahalanobisNeedsTrainFeatures)},
        {"tau_mahalanobis", againstReference(&certaintyDensityScore, &mahalanobisNeedsTrainFeatures)},
        {"hib", perBatch(&negativeHibVariance)},
        {"msp", perBatch(&maxSoftmaxProbability)},
        {"odin", perBatch(&odinScore)},
        {"energy", perBatch(&energyScore)},
    };
    return functions;
}

const ScoreFunctions& scoreFunctionsOf(const std::string& name)
{
    const auto found = scoreFunctions().find(name);
    if (found == scoreFunctions().end()) {
        throw TauError("score " + name + " has a catalogue row but no functions in scoreFunctions()");
    }
    return found->second;
}

} // namespace tau::core
