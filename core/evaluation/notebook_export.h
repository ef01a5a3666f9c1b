#pragma once

// The bridge to a notebook: what a run learned, in files Python reads without this tool (NumPy's .npy for the
// features of images, a plain PyTorch state dict for the encoder's weights).

#include "core/common/cancellation.h"
#include "core/common/evaluation_observer.h"
#include "core/evaluation/evaluation_target.h"
#include "core/schema/experiment_config.h"

#include <string>
#include <vector>

namespace tau::core {

/**
 * tau export features: the evaluated set's test split (EvaluationTarget::dataset; the run's own by default) and
 * further sets. EvaluationTarget::name is not used: the files go to output.
 */
struct FeatureExportOptions : EvaluationTarget
{
    std::vector<std::string> datasets; ///< sets beside the run's own test set: any tau ood set (mnist, gaussian_noise, ...)
    bool trainSplit = false;          ///< also the run's training split (as set "<dataset>_train")
    std::string output;               ///< the folder; empty: RUN/exports/features
    DataSettings data;                ///< data.roots added to the run's
};

/** One exported set: its folder and what it holds. */
struct ExportedSet
{
    std::string name;
    std::string folder;
    int64_t images = 0;
    std::vector<std::string> files; ///< h.npy, loc.npy, ... as written
};

struct FeatureExportResult
{
    std::string folder;
    std::vector<ExportedSet> sets;
    bool cancelled = false;
};

/**
 * For the run's test set and every asked set, through the one model pass (the evaluation transform): h (float32
 * [N, D]), loc (float32 [N, d], not normalised; a classifier's logits), r and c = sigmoid(r) (float64 [N], where
 * the model learns a temperature), label (int64 [N], -1 unlabelled), index (int64 [N], the image's position in
 * the exported set, as the index column of scores.csv) and source_index (int64 [N], its position in the dataset's
 * split as the files hold it, before --limit chose a subset), one .npy each in OUTPUT/<set>/.
 */
FeatureExportResult exportFeatures(const FeatureExportOptions& options, EvaluationObserver& observer,
                                   const CancellationToken& cancel);

struct WeightExportOptions
{
    std::string checkpoint;
    std::string output;       ///< the .pt file
    bool withHead = false;    ///< also the projection head (as head.*) and the classifier (classifier.*)
};

struct WeightExportResult
{
    std::string file;
    std::string encoder; ///< small_cnn, resnet18, resnet50
    std::vector<std::string> names; ///< the state dict's keys, in order
};

/**
 * The encoder's parameters and buffers as a plain state dict (a Python dict of tensors) in the format torch.load
 * reads: torchvision's names for the ResNets (conv1.weight, layer1.0.bn1.running_mean, ...; a torchvision resnet18
 * with fc = Identity() loads it with strict=True, with the 3x3 stem where the run used one), and for the small CNN
 * the names of tau_explorer.SmallCnn (packaging/python).
 */
WeightExportResult exportWeights(const WeightExportOptions& options);

} // namespace tau::core
