#pragma once

#include "core/schema/experiment_config.h"

#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

namespace tau::core {

/** A backbone that maps images to a feature vector h (after global average pooling). */
class EncoderImpl : public torch::nn::Module
{
public:
    virtual torch::Tensor forward(const torch::Tensor& images) = 0;
    virtual int64_t featureDim() const = 0;
};

/**
 * Small CNN for 28x28 grayscale images (Fashion-MNIST, MNIST): three conv-BN-ReLU stages, two max-pools,
 * global average pooling. Small enough that a default run trains in minutes on two CPU cores.
 */
class SmallCnnImpl : public EncoderImpl
{
public:
    /** @param mcDropout dropout2d probability after every conv stage, kept on at inference (0: none). */
    SmallCnnImpl(int64_t inChannels, double mcDropout = 0.0);
    torch::Tensor forward(const torch::Tensor& images) override;
    int64_t featureDim() const override { return kFeatureDim; }

private:
    static constexpr int64_t kFeatureDim = 128;
    torch::nn::Sequential m_layers{nullptr};
};

/** Projection head: Linear(D,D) -> BatchNorm1d (final_bn) -> ReLU -> Linear(D, out_dim [+1], no bias). */
class ProjectionHeadImpl : public torch::nn::Module
{
public:
    ProjectionHeadImpl(int64_t inputDim, const ModelConfig& config);
    torch::Tensor forward(const torch::Tensor& features);

private:
    torch::nn::Sequential m_layers{nullptr};
};
TORCH_MODULE(ProjectionHead);

/** What the contrastive model gives for a batch. */
struct ModelOutput
{
    torch::Tensor features; ///< h, the backbone output used for linear evaluation
    torch::Tensor loc;      ///< the projection (first out_dim outputs), not normalised
    torch::Tensor rawR;     ///< [B] the temperature logit r; undefined without a posterior head
};

/** What the model is built for: the images it sees and, for a classifier, the number of classes. */
struct ModelInput
{
    int64_t channels = 1;
    int64_t imageSize = 28;
    int64_t numClasses = 0; ///< > 0: a linear classifier head (supervised baseline) instead of the projection
};

/** Builds the configured backbone (small CNN or ResNet) for @p input. */
std::shared_ptr<EncoderImpl> makeEncoder(const ModelConfig& config, const ModelInput& input);

/**
 * Encoder plus head. The head is the projection (with posterior_head the last output is r, the README's "What it trains"), or
 * for a classifier a single Linear layer whose logits are returned as loc.
 */
class ContrastiveModelImpl : public torch::nn::Module
{
public:
    ContrastiveModelImpl(const ModelConfig& config, const ModelInput& input);
    ModelOutput forward(const torch::Tensor& images);
    EncoderImpl& encoder() { return *m_encoder; }

private:
    std::shared_ptr<EncoderImpl> m_encoder;
    ProjectionHead m_head{nullptr};
    torch::nn::Linear m_classifier{nullptr};
    int64_t m_outDim;
    bool m_posteriorHead;
};
TORCH_MODULE(ContrastiveModel);

} // namespace tau::core
