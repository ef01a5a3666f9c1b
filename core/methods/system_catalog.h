#pragma once

// Torch-free on purpose: config validation, the CLI's help and the GUI read the catalogue through this header.

#include "core/config/experiment_config.h"

#include <memory>
#include <string>
#include <vector>

namespace c10 {
struct Device;
}

namespace tau::core {

class TrainingObjective;
struct ModelInput;

/** Builds a system's objective for images of the given input on a device (defined in its own objective file). */
using ObjectiveFactory = std::unique_ptr<TrainingObjective> (*)(const ExperimentConfig& config, const ModelInput& input,
                                                                const c10::Device& device);

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
    /** Builds its objective; null for a system that loads but does not train here (then notTrainable says why). */
    ObjectiveFactory make = nullptr;
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
