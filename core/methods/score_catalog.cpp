#include "core/methods/score_catalog.h"

#include "core/methods/catalog_rows.h"

namespace tau::core {

namespace {

std::string needsTemperature(const SystemInfo& system, const ExperimentConfig&, size_t)
{
    return system.learnsTemperature ? "" : "needs a TaU model (one that learns a temperature); this run is " + system.name;
}

std::string needsGaussianEmbedding(const SystemInfo& system, const ExperimentConfig&, size_t)
{
    return system.gaussianEmbedding ? "" : "needs a HIB model; this run is " + system.name;
}

std::string needsLogits(const SystemInfo& system, const ExperimentConfig&, size_t)
{
    return system.classifier ? "" : "needs a supervised model (its logits); this run is " + system.name;
}

std::string needsDropout(const SystemInfo&, const ExperimentConfig& config, size_t)
{
    return config.model.mcDropout ? "" : "needs a model trained with model.mc_dropout: true";
}

std::string needsMembers(const SystemInfo&, const ExperimentConfig&, size_t members)
{
    return members > 0 ? "" : "needs the other members' checkpoints (--ensemble A,B,...)";
}

std::string fitsEveryRun(const SystemInfo&, const ExperimentConfig&, size_t)
{
    return "";
}

/** A score of the model's outputs, batch by batch, computable where @p unfit says nothing. */
ScoreInfo batchScore(std::string name, std::string summary, decltype(ScoreInfo::unfit) unfit)
{
    ScoreInfo info;
    info.name = std::move(name);
    info.summary = std::move(summary);
    info.unfit = unfit;
    return info;
}

/** A score of a set's features against a reference set: every run has features. */
ScoreInfo referenceScore(std::string name, std::string summary)
{
    return batchScore(std::move(name), std::move(summary), &fitsEveryRun);
}

ScoreInfo fusedScore()
{
    ScoreInfo info = referenceScore("tau_mahalanobis", "c and minus the Mahalanobis distance of h, each standardised "
                                                       "on the ID training images, summed");
    info.unfit = &needsTemperature;
    return info;
}

ScoreInfo costing(ScoreInfo info, std::string cost)
{
    info.cost = std::move(cost);
    return info;
}

/** Its title and its figure style: the common scores get plain lines (rows 0-3), the rest lines with markers. */
ScoreInfo shown(ScoreInfo info, std::string title, int figureStyle)
{
    info.title = std::move(title);
    info.figureStyle = figureStyle;
    return info;
}

std::vector<ScoreInfo> buildCatalog()
{
    const std::string onePass = "1 pass";
    const std::string gaussian = "1 pass + a fitted Gaussian of h";
    return {
        shown(costing(batchScore("tau", "TaU's certainty c = sigmoid(r)", &needsTemperature), onePass),
              "TaU c", 0),
        shown(costing(batchScore("tau_repo", "r^2, the original repository's score", &needsTemperature),
                      onePass),
              "TaU r² (original)", 4),
        shown(costing(batchScore("mc_dropout", "minus the spread of the embedding over dropout passes", &needsDropout),
                      "T passes (--mc-passes)"),
              "MC dropout", 5),
        shown(costing(batchScore("ensemble", "minus the spread of the embedding over ensemble members", &needsMembers),
                      "1 pass per member"),
              "Ensemble", 6),
        shown(costing(referenceScore("knn", "minus the distance to the k nearest ID embeddings"),
                      "1 pass + k-NN search of stored ID embeddings"),
              "kNN", 1),
        shown(costing(referenceScore("mahalanobis", "minus the Mahalanobis distance of h to the nearest ID class mean"),
                      gaussian),
              "Mahalanobis", 3),
        shown(costing(fusedScore(), gaussian), "TaU c + Mahalanobis", 2),
        shown(costing(batchScore("hib", "minus HIB's variance softplus(r)^2", &needsGaussianEmbedding),
                      onePass),
              "HIB variance", 7),
        shown(costing(batchScore("msp", "the maximum softmax probability", &needsLogits),
                      onePass),
              "MSP", 8),
        shown(costing(batchScore("odin", "MSP after temperature scaling and an input perturbation", &needsLogits),
                      "2 passes + 1 backward"),
              "ODIN", 9),
        shown(costing(batchScore("energy", "logsumexp of the logits", &needsLogits), onePass), "Energy",
              10),
    };
}

} // namespace

const std::vector<ScoreInfo>& scoreCatalog()
{
    static const std::vector<ScoreInfo> catalog = buildCatalog();
    return catalog;
}

const ScoreInfo& scoreInfo(const std::string& name)
{
    return rowNamed(scoreCatalog(), name, "score");
}

std::string scoreTitle(const std::string& name)
{
    for (const ScoreInfo& info : scoreCatalog()) {
        if (info.name == name) {
            return info.title;
        }
    }
    return name;
}

std::vector<std::string> scoreNames()
{
    return namesOf(scoreCatalog());
}

std::string whyScoreDoesNotFit(const std::string& score, const ExperimentConfig& config, size_t ensembleMembers)
{
    const std::string reason = scoreInfo(score).unfit(systemOf(config), config, ensembleMembers);
    return reason.empty() ? reason : "score '" + score + "' " + reason;
}

std::vector<std::string> applicableScores(const ExperimentConfig& config)
{
    std::vector<std::string> names;
    for (const ScoreInfo& info : scoreCatalog()) {
        if (info.unfit(systemOf(config), config, 0).empty()) {
            names.push_back(info.name);
        }
    }
    return names;
}

std::vector<std::string> singleModelScores()
{
    ExperimentConfig anyModel;
    anyModel.model.mcDropout = true; // any single run: every system, dropout kept on
    std::vector<std::string> names;
    for (const ScoreInfo& info : scoreCatalog()) {
        for (const SystemInfo& system : systemCatalog()) {
            if (info.unfit(system, anyModel, 0).empty()) {
                names.push_back(info.name);
                break;
            }
        }
    }
    return names;
}

std::vector<std::string> defaultScores(const ExperimentConfig& config)
{
    std::vector<std::string> names;
    for (const std::string& score : systemOf(config).defaultScores) {
        if (whyScoreDoesNotFit(score, config).empty()) {
            names.push_back(score);
        }
    }
    return names;
}

} // namespace tau::core
