#pragma once

#include "core/common/cancellation.h"
#include "core/common/evaluation_observer.h"
#include "core/data/augmentation.h"
#include "core/data/image_dataset.h"
#include "core/evaluation/evaluation_target.h"
#include "core/models/contrastive_model.h"
#include "core/training/objective.h"

#include <chrono>
#include <functional>
#include <string>

namespace tau::core {

/** A trained model as evaluation runs it: the objective, how stored images become its inputs, and where. */
struct EvaluatedModel
{
    TrainingObjective* objective = nullptr;
    const ViewAugmenter* transform = nullptr; ///< the evaluation view, with the in-distribution set's statistics
    int64_t channels = 1;                     ///< the model's input channels; other sets are converted to them
    torch::Device device = torch::kCPU;
};

/** Images done out of a job's total, reported with an ETA; one object serves every pass of a job. */
class PassProgress
{
public:
    explicit PassProgress(EvaluationObserver& observer, long long total = 0);
    void addToTotal(long long images) { m_total += images; }
    /** @p images more are done, in @p stage. */
    void advance(const std::string& stage, long long images);

private:
    EvaluationObserver& m_observer;
    long long m_total;
    long long m_done = 0;
    std::chrono::steady_clock::time_point m_start;
};

/** One batch of a pass: the stored images, the model's inputs made from them, and what the model gave. */
struct PassBatch
{
    int64_t begin = 0; ///< the batch's first image index in the set
    int64_t end = 0;
    torch::Tensor images; ///< uint8 [B, C, H, W] as stored
    torch::Tensor inputs; ///< channels matched, evaluation view, on the model's device
    ModelOutput output;   ///< computed without gradients
};

struct PassOptions
{
    int batchSize = kEvaluationBatchSize;
    std::string stage; ///< what progress reports call this pass
    /** A distributed job to split the pass over (tau ood/knn --nproc): rank r visits the r-th contiguous run of
     *  batches; gatherRows() then puts the ranks' rows back in set order. null: one process visits every batch. */
    Communicator* shards = nullptr;
};

/** Whether a pass over @p setSize images is split between processes (there must be a batch for each). */
bool passIsSharded(const PassOptions& options, int64_t setSize);

/**
 * Rows this rank collected in a sharded pass -> the rows of the whole set, in set order, on every rank (each
 * rank's batches are contiguous, so rank order is set order). Unsharded passes return @p local as it is.
 */
torch::Tensor gatherRows(const PassOptions& options, int64_t setSize, const torch::Tensor& local);
std::vector<double> gatherRows(const PassOptions& options, int64_t setSize, const std::vector<double>& local);

/**
 * The one loop over a dataset that every evaluation uses: for each batch it converts channels to the model's,
 * applies the evaluation transform, runs the model without gradients, reports progress and calls @p visit.
 * @return false when @p cancel stopped it before the last batch.
 */
bool forEachBatch(const EvaluatedModel& model, const ImageDataset& set, const PassOptions& options,
                  PassProgress& progress, const CancellationToken& cancel, const std::function<void(const PassBatch&)>& visit);

/** Converts between grayscale and RGB so images fit a model's input channels (ITU-R 601 luma for RGB to gray). */
torch::Tensor matchChannels(const torch::Tensor& images, int64_t channels);

} // namespace tau::core
