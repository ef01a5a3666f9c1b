#pragma once

// Torch-free on purpose: config validation, the CLI's help and the GUI read the catalogue through this header.

#include "core/schema/experiment_config.h"

#include <string>
#include <vector>

namespace tau::core {

/**
 * One training system (`system:` in a config), described once. Everything that depends on which method a run
 * used reads these fields rather than comparing names: config validation, objective construction, which OOD
 * scores fit a run and which are on by default, the GUI's notes and the CLI's help.
 */
struct SystemInfo
{
    std::string name;    ///< the config value, e.g. tau_simclr
    std::string title;   ///< for people, e.g. TaU-SimCLR
    std::string summary; ///< one line: the objective (the README's "What it trains")
    bool learnsTemperature = false;  ///< the model outputs r and c = sigmoid(r) is its uncertainty
    bool gaussianEmbedding = false;  ///< r is the log-scale of a Gaussian embedding (HIB): sigma = softplus(r)
    bool needsPosteriorHead = false; ///< model.posterior_head must be true
    bool classifier = false;         ///< the model ends in logits over the training classes
    bool usesQueue = false;          ///< a MoCo queue of loss.k keys (a multiple of the batch size)
    bool needsFrozenEncoder = false; ///< exactly one of model.encoder_checkpoint and model.encoder_torchscript
    bool trainsWithOutliers = false; ///< synthetic outliers in every step (loss.outlier_*): their c is recorded
    /** The OOD scores pre-checked for its runs, where they fit the run (see scoreCatalog()). */
    std::vector<std::string> defaultScores;
    /**
     * Empty for a system trained here (its objective is built from its own floor: objectiveFactories() in
     * training/objective.cpp); else why it loads but does not train.
     */
    std::string notTrainable;
};

/** Every training system, in the order help texts list them. */
const std::vector<SystemInfo>& systemCatalog();

/** The system called @p name. @throws TauError listing the known names. */
const SystemInfo& systemInfo(const std::string& name);

/** The names of systemCatalog(), in order. */
std::vector<std::string> systemNames();

/** The system a config trains (its `system:` key). @throws TauError for an unknown one. */
const SystemInfo& systemOf(const ExperimentConfig& config);

} // namespace tau::core
