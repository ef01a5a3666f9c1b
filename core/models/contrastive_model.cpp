#include "core/models/contrastive_model.h"

#include "core/common/autocast.h"
#include "core/common/error.h"
#include "core/models/batch_norm.h"
#include "core/models/resnet.h"

#include <torch/torch.h>

namespace tau::core {

namespace nn = torch::nn;

namespace {

/** Appends conv3x3-BN-ReLU (and a 2x2 max-pool) to @p layers; Sequentials cannot nest in LibTorch. */
void appendConvStage(nn::Sequential& layers, int64_t in, int64_t out, bool pool, double mcDropout)
{
    layers->push_back(nn::Conv2d(nn::Conv2dOptions(in, out, 3).padding(1).bias(false)));
    layers->push_back(SyncableBatchNorm(out));
    layers->push_back(nn::ReLU());
    if (mcDropout > 0) {
        // training(true): MC dropout stays on in eval mode, so repeated passes differ.
        layers->push_back(nn::Functional([mcDropout](const torch::Tensor& x) {
            return nn::functional::dropout2d(x, nn::functional::Dropout2dFuncOptions().p(mcDropout).training(true));
        }));
    }
    if (pool) {
        layers->push_back(nn::MaxPool2d(nn::MaxPool2dOptions(2)));
    }
}

} // namespace

SmallCnnImpl::SmallCnnImpl(int64_t inChannels, double mcDropout)
{
    nn::Sequential layers;
    appendConvStage(layers, inChannels, 32, /*pool=*/true, mcDropout);
    appendConvStage(layers, 32, 64, /*pool=*/true, mcDropout);
    appendConvStage(layers, 64, kFeatureDim, /*pool=*/false, mcDropout);
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
        layers->push_back(SyncableBatchNorm(inputDim));
    }
    layers->push_back(nn::ReLU());
    layers->push_back(nn::Linear(nn::LinearOptions(inputDim, outputs).bias(false)));
    m_layers = register_module("layers", layers);
}

torch::Tensor ProjectionHeadImpl::forward(const torch::Tensor& features)
{
    return m_layers->forward(features);
}

std::shared_ptr<EncoderImpl> makeEncoder(const ModelConfig& config, const ModelInput& input)
{
    if (config.encoder == "small_cnn") {
        return std::make_shared<SmallCnnImpl>(input.channels, config.mcDropout ? config.dropout : 0.0);
    }
    if (config.encoder == "resnet18" || config.encoder == "resnet50") {
        ResNetOptions options;
        options.depth = config.encoder == "resnet18" ? 18 : 50;
        options.conv3x3Stem = config.conv3x3 == "auto" ? input.imageSize <= 64 : config.conv3x3 == "true";
        options.mcDropout = config.mcDropout;
        options.dropout = config.dropout;
        options.inChannels = input.channels;
        return std::make_shared<ResNetImpl>(options);
    }
    throw TauError("model.encoder: unknown encoder '" + config.encoder + "'");
}

ContrastiveModelImpl::ContrastiveModelImpl(const ModelConfig& config, const ModelInput& input)
    : m_outDim(config.outDim)
    , m_posteriorHead(config.posteriorHead && input.numClasses == 0)
{
    m_encoder = register_module("encoder", makeEncoder(config, input));
    if (input.numClasses > 0) {
        m_classifier = register_module("classifier", torch::nn::Linear(m_encoder->featureDim(), input.numClasses));
    } else {
        m_head = register_module("head", ProjectionHead(m_encoder->featureDim(), config));
    }
}

ModelOutput ContrastiveModelImpl::forward(const torch::Tensor& images)
{
    ModelOutput output;
    output.features = m_encoder->forward(images);
    // Under precision: bf16 only the encoder runs in bfloat16: the heads (c = sigmoid(r) among them) and the losses
    // after them need float32's precision, and cost little.
    const FullPrecisionScope fullPrecisionHeads;
    output.features = fullPrecision(output.features);
    if (m_classifier) {
        output.loc = m_classifier->forward(output.features);
        return output;
    }
    const torch::Tensor projected = m_head->forward(output.features);
    output.loc = projected.narrow(1, 0, m_outDim);
    if (m_posteriorHead) {
        output.rawR = projected.select(1, m_outDim);
    }
    return output;
}

} // namespace tau::core
