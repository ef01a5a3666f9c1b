#pragma once

// Torch-free on purpose: `tau ood`, the GUI's OOD page and the CLI's help read the catalogue through this header.

#include "core/methods/system_catalog.h"
#include "core/schema/experiment_config.h"

#include <string>
#include <vector>

namespace tau::core {

/**
 * One OOD score (the README's "OOD detection"), described once; higher always means more in-distribution. How it
 * is computed (batch by batch from the model's outputs, or for a whole set from its features against a reference
 * set: kNN, Mahalanobis) registers on the evaluation floor, by name: scoreFunctions() in
 * core/evaluation/scores/score_functions.h. The catalogue itself links nothing above its floor.
 */
struct ScoreInfo
{
    std::string name;    ///< as `--scores` spells it
    std::string title;   ///< for people: legends, tables and headers ("TaU c", "kNN")
    /** Its row of the figures' style table (colour, dash, marker): the same in every figure, apart in grey. */
    int figureStyle = 0;
    std::string summary; ///< one line for help texts
    /** What scoring one image costs at inference (forward passes, and what must be kept beside the model). */
    std::string cost;
    /** Why it cannot be computed for a run of @p system (with @p ensembleMembers further models); empty: it can. */
    std::string (*unfit)(const SystemInfo& system, const ExperimentConfig& config, size_t ensembleMembers) = nullptr;
};

/** Every OOD score, in the order help texts and tables list them. */
const std::vector<ScoreInfo>& scoreCatalog();

/** The score called @p name. @throws TauError listing the known names. */
const ScoreInfo& scoreInfo(const std::string& name);

/** The title of the score called @p name ("TaU c"), or @p name itself for a name the catalogue lacks. */
std::string scoreTitle(const std::string& name);

/** The names of scoreCatalog(), in order. */
std::vector<std::string> scoreNames();

/** Why @p score cannot be computed for a run trained with @p config; empty when it can. @throws for unknown. */
std::string whyScoreDoesNotFit(const std::string& score, const ExperimentConfig& config, size_t ensembleMembers = 0);

/** The scores a run of @p config can give without further checkpoints, in catalogue order. */
std::vector<std::string> applicableScores(const ExperimentConfig& config);

/** The scores some single run can give (every score but those that need further checkpoints). */
std::vector<std::string> singleModelScores();

/** The scores on by default for a run of @p config: its system's defaults that fit it. */
std::vector<std::string> defaultScores(const ExperimentConfig& config);

} // namespace tau::core
