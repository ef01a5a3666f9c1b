#pragma once

// Torch-free on purpose: the GUI's analysis worker scans through this header.

#include "core/common/cancellation.h"
#include "core/evaluation/evaluation_target.h"
#include "core/evaluation/ood_evaluation.h"

#include <cstdint>
#include <string>
#include <vector>

namespace tau::core {

/** What to scan: a run's model over one image set (its own test set, or an OOD set). */
/** EvaluationTarget::dataset empty: the run's own test set; else an OOD set (real or synthetic). */
struct ImageScanOptions : EvaluationTarget
{
};

/** The images of a set with what the model says about each: certainty c and the backbone features h. */
struct ScannedImages
{
    std::string runDirectory;
    std::string checkpointFile;
    std::string system;    ///< the run's method (tau_simclr, simclr, ...)
    std::string inDataset; ///< the run's training set
    std::string dataset;   ///< the scanned set
    bool outOfDistribution = false;
    double temperature = 0; ///< the run's global t (tau = t / c)
    std::vector<int> trainedClasses; ///< the run's dataset.classes (empty: all)
    std::string heldOutSet;          ///< its held-out classes as an OOD set ("NAME@8+9"); empty: it had them all
    bool mcDropout = false;          ///< the run's model keeps dropout on (the mc_dropout score applies)
    /** For the run's own test set: the OOD sets this machine can offer (availableOodSets), found here, off the GUI. */
    std::vector<std::string> oodChoices;
    bool learnsTemperature = false;            ///< the run's model gives a certainty c (its system's row says so)
    std::string systemTitle;                   ///< the run's method for people (TaU-SimCLR, SimCLR, ...)
    std::vector<std::string> applicableScores; ///< the OOD scores its model can give (the method catalogue's rule)
    std::vector<std::string> defaultScores;    ///< those pre-checked for it

    int64_t count = 0;
    int channels = 0;
    int height = 0;
    int width = 0;
    std::vector<uint8_t> pixels; ///< [count, channels, height, width], as stored (not normalised)
    std::vector<int> labels;     ///< -1 where a set has no labels
    std::vector<std::string> classNames;
    std::vector<int64_t> sourceIndices; ///< each image's index in the full set (after a seeded limit)

    std::vector<double> certainty; ///< c = sigmoid(r) in float64; empty when the run learns no temperature
    int64_t featureDim = 0;
    std::vector<float> features; ///< h, [count, featureDim]

    bool cancelled = false;
};

/**
 * Loads the run of options.checkpoint with its evaluation transform, and computes c and h for every image of
 * the chosen set batch by batch, reporting progress as ("certainty", done, total, eta).
 * @throws TauError / DataError naming the missing checkpoint, config or dataset.
 */
ScannedImages scanImages(const ImageScanOptions& options, EvaluationObserver& observer, const CancellationToken& cancel);

/**
 * The sets a run trained on @p inDataset can be compared with here: every other registered set whose files
 * are present (with @p settings' roots), then the synthetic ones made from the ID test set.
 */
std::vector<std::string> availableOodSets(const std::string& inDataset, const DataSettings& settings = {});

} // namespace tau::core
