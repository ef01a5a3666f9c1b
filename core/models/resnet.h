#pragma once

#include "core/models/batch_norm.h"
#include "core/models/contrastive_model.h"

#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/pooling.h>

namespace tau::core {

struct ResNetOptions
{
    int depth = 18;            ///< 18 (basic blocks) or 50 (bottlenecks)
    bool conv3x3Stem = false;  ///< 3x3 stride-1 first convolution and no max-pool, for 32x32 and 64x64 images
    bool mcDropout = false;    ///< dropout2d after the first conv-BN-ReLU of every block, active at inference too
    double dropout = 0.5;
    int64_t inChannels = 3;
};

/** Basic residual block (ResNet-18/34): two 3x3 convolutions. */
class BasicBlockImpl : public torch::nn::Module
{
public:
    BasicBlockImpl(int64_t inPlanes, int64_t planes, int64_t stride, double mcDropout);
    torch::Tensor forward(const torch::Tensor& x);
    static constexpr int64_t kExpansion = 1;

private:
    torch::nn::Conv2d m_conv1{nullptr}, m_conv2{nullptr};
    SyncableBatchNorm m_bn1{nullptr}, m_bn2{nullptr};
    torch::nn::Sequential m_downsample{nullptr};
    double m_mcDropout;
};
TORCH_MODULE(BasicBlock);

/** Bottleneck block (ResNet-50): 1x1, 3x3 (with the stride, as torchvision v1.5), 1x1 expanding by 4. */
class BottleneckImpl : public torch::nn::Module
{
public:
    BottleneckImpl(int64_t inPlanes, int64_t planes, int64_t stride, double mcDropout);
    torch::Tensor forward(const torch::Tensor& x);
    static constexpr int64_t kExpansion = 4;

private:
    torch::nn::Conv2d m_conv1{nullptr}, m_conv2{nullptr}, m_conv3{nullptr};
    SyncableBatchNorm m_bn1{nullptr}, m_bn2{nullptr}, m_bn3{nullptr};
    torch::nn::Sequential m_downsample{nullptr};
    double m_mcDropout;
};
TORCH_MODULE(Bottleneck);

/**
 * ResNet-18 or ResNet-50 backbone in torchvision's layout and parameter names (conv1, bn1, layer1..layer4,
 * downsample.0/1), without the final fully connected layer: it returns the globally pooled features h.
 */
class ResNetImpl : public EncoderImpl
{
public:
    explicit ResNetImpl(const ResNetOptions& options);
    torch::Tensor forward(const torch::Tensor& images) override;
    int64_t featureDim() const override { return m_featureDim; }

private:
    template <typename Block>
    torch::nn::Sequential makeLayer(int64_t planes, int blocks, int64_t stride, double mcDropout);
    void initialiseWeights();

    torch::nn::Conv2d m_conv1{nullptr};
    SyncableBatchNorm m_bn1{nullptr};
    torch::nn::MaxPool2d m_maxPool{nullptr};
    torch::nn::Sequential m_layers[4];
    int64_t m_inPlanes = 64;
    int64_t m_featureDim = 0;
    bool m_conv3x3Stem;
};
TORCH_MODULE(ResNet);

} // namespace tau::core
