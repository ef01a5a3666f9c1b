#pragma once

#include "core/data/batch_loader.h"
#include "core/distributed/communicator.h"
#include "core/models/batch_norm.h"
#include "core/models/contrastive_model.h"
#include "core/models/memory_format.h"
#include "core/objectives/contrastive_losses.h"
#include "core/schema/experiment_config.h"

#include <torch/serialize/archive.h>

#include <map>
#include <memory>

namespace tau::core {

/** The loss of one step and, for TaU systems, the raw temperature logits behind it (detached). */
struct StepLoss
{
    torch::Tensor loss;
    torch::Tensor rawR;
    torch::Tensor outlierRawR = {}; ///< outlier exposure: r of this rank's synthetic outliers (detached); else undefined
    /**
     * Any diagnostic of the step, by name, as a 0-dim tensor (left on the device: read only at the steps whose loss
     * is read). Each reaches the step records' "scalars" in metrics.jsonl, averaged over a job's ranks, so the
     * dashboard's Scalars tab, Compare runs, tau report and TensorBoard export show it with no edit elsewhere.
     */
    std::map<std::string, torch::Tensor> scalars = {};
};

/**
 * One training objective of the README's "What it trains" with everything it owns: the model, and what some objectives keep
 * beside it (MoCo's key encoder and queue, HIB's a and b, post-hoc TaU's frozen encoder).
 * The trainer only sees this interface, so a new objective needs no change to the training loop.
 */
class TrainingObjective
{
public:
    virtual ~TrainingObjective() = default;

    /** Views per batch: 2 for the contrastive objectives, 1 for supervised training. */
    virtual int views() const { return 2; }

    /** What the optimizer updates. */
    virtual std::vector<torch::Tensor> parameters() = 0;

    /** The module whose weights a checkpoint's "model" entry holds (evaluation loads it). */
    virtual torch::nn::Module& model() = 0;

    virtual StepLoss loss(const TrainingBatch& batch) = 0;

    /**
     * The trained model's outputs for evaluation-view images: h (features), loc (projection, or logits
     * for a classifier) and r where the model has one. The caller picks train/eval mode and grad mode.
     */
    virtual ModelOutput infer(const torch::Tensor& images) = 0;

    /** Lays the convolution weights out as channels_last (memory_format); MoCo's key encoder too. */
    virtual void useChannelsLast() { convertToChannelsLast(model()); }

    /** Called after the optimizer step (MoCo: enqueue the keys). */
    virtual void afterStep() {}

    virtual void setTraining(bool training) = 0;

    /** State beyond model() that exact resume needs (queue, key encoder, a and b). */
    virtual void saveExtras(torch::serialize::OutputArchive& archive) { (void)archive; }
    virtual void loadExtras(torch::serialize::InputArchive& archive) { (void)archive; }

    /**
     * Joins a data-parallel job before training: loss() then sees this rank's shard of each batch, and an
     * objective whose loss couples images (SimCLR's negatives, HIB's pairs, MoCo's queue) gathers what it needs
     * with gatherBatch(). @p syncBatchNorm: BatchNorm statistics over the global batch instead of the shard.
     */
    virtual void distributeOver(Communicator& communicator, bool syncBatchNorm)
    {
        m_communicator = &communicator;
        synchronizeBatchNorm(model(), syncBatchNorm ? &communicator : nullptr);
    }

protected:
    /** This rank's rows of a batch-sized tensor -> the whole batch's, in batch order; gradients reach the rows. */
    torch::Tensor gatherBatch(const torch::Tensor& local) const
    {
        return m_communicator != nullptr ? allGatherWithGradient(*m_communicator, local) : local;
    }

    /**
     * The anchors whose rows of a global-batch contrastive loss this rank computes: its own images (b x 2B of the
     * (2B)^2 similarities). The mean over ranks of their losses, which training takes with the gradients, is the
     * loss of the whole batch.
     */
    AnchorShard ownAnchors() const
    {
        return m_communicator != nullptr ? AnchorShard{m_communicator->rank(), m_communicator->worldSize()}
                                         : AnchorShard{};
    }

    Communicator* m_communicator = nullptr;
};

/**
 * The objectives that train one model on its own (SimCLR, HIB, supervised): the forwarding a TrainingObjective
 * needs, so such an objective writes only its loss.
 */
class SingleModelObjective : public TrainingObjective
{
public:
    SingleModelObjective(const ModelConfig& config, const ModelInput& input, const torch::Device& device)
        : m_model(config, input)
    {
        m_model->to(device);
    }

    std::vector<torch::Tensor> parameters() override { return m_model->parameters(); }
    torch::nn::Module& model() override { return *m_model; }
    void setTraining(bool training) override { m_model->train(training); }
    ModelOutput infer(const torch::Tensor& images) override { return m_model->forward(images); }

protected:
    ContrastiveModel m_model;
};

/** Builds a system's objective for images of the given input on a device (defined in its own objective file). */
using ObjectiveFactory = std::unique_ptr<TrainingObjective> (*)(const ExperimentConfig& config, const ModelInput& input,
                                                                const c10::Device& device);

/**
 * The objective of every system trained here, by its catalogue name. The catalogue (methods/) describes a system;
 * this table, on the training floor, builds it: a new objective is its file and a row here.
 */
const std::map<std::string, ObjectiveFactory>& objectiveFactories();

/**
 * Builds the objective of @p config.system (its row in systemCatalog(), its factory in objectiveFactories()) for
 * images of @p input.
 * @throws ConfigError / DataError / TauError for an unknown or untrainable system, an inconsistent config or an
 * unreadable frozen encoder.
 */
std::unique_ptr<TrainingObjective> makeObjective(const ExperimentConfig& config, const ModelInput& input,
                                                 const torch::Device& device);

} // namespace tau::core
