#include "core/models/contrastive_model.h"

#include "core/common/error.h"

#include <torch/torch.h>

namespace tau::core {

namespace nn = torch::nn;

namespace {

/** Appends conv3x3-BN-ReLU (and a 2x2 max-pool) to @p layers; Sequentials cannot nest in LibTorch. */
void appendConvStage(nn::Sequential& layers, int64_t in, int64_t out, bool pool)
{
    layers->push_back(nn::Conv2d(nn::Conv2dOptions(in, out, 3).padding(1).bias(false)));
    layers->push_back(nn::BatchNorm2d(out));
    layers->push_back(nn::ReLU());
    if (pool) {
        layers->push_back(nn::MaxPool2d(nn::MaxPool2dOptions(2)));
    }
}

} // namespace

SmallCnnImpl::SmallCnnImpl(int64_t inChannels)
{
    nn::Sequential layers;
    appendConvStage(layers, inChannels, 32, /*pool=*/true);
    appendConvStage(layers, 32, 64, /*pool=*/true);
    appendConvStage(layers, 64, kFeatureDim, /*pool=*/false);
    layers->push_back(nn::AdaptiveAvgPool2d(nn::AdaptiveAvgPool2dOptions(1)));
    layers->push_back(nn::Flatten());
    m_layers = register_module("layers", layers);
}

torch::Tensor SmallCnnImpl::forward(const torch::Tensor& images)
{
    return m_layers->forward(images);
}

ProjectionHeadImpl::ProjectionHeadImpl(int64_t inputDim, const ModelConfig& config)
{
    const int64_t outputs = config.outDim + (config.posteriorHead ? 1 : 0);
    nn::Sequential layers(nn::Linear(inputDim, inputDim));
    if (config.finalBn) {
        layers->push_back(nn::BatchNorm1d(inputDim));
    }
    layers->push_back(nn::ReLU());
    layers->push_back(nn::Linear(nn::LinearOptions(inputDim, outputs).bias(false)));
    m_layers = register_module("layers", layers);
}

torch::Tensor ProjectionHeadImpl::forward(const torch::Tensor& features)
{
    return m_layers->forward(features);
}

ContrastiveModelImpl::ContrastiveModelImpl(const ModelConfig& config, int64_t inChannels)
    : m_outDim(config.outDim)
    , m_posteriorHead(config.posteriorHead)
{
    if (config.encoder != "small_cnn") {
        throw TauError("model.encoder: unknown encoder '" + config.encoder + "'");
    }
    m_encoder = register_module("encoder", std::make_shared<SmallCnnImpl>(inChannels));
    m_head = register_module("head", ProjectionHead(m_encoder->featureDim(), config));
}

ModelOutput ContrastiveModelImpl::forward(const torch::Tensor& images)
{
    ModelOutput output;
    output.features = m_encoder->forward(images);
    const torch::Tensor projected = m_head->forward(output.features);
    output.loc = projected.narrow(1, 0, m_outDim);
    if (m_posteriorHead) {
        output.rawR = projected.select(1, m_outDim);
    }
    return output;
}

} // namespace tau::core
