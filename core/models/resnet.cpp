#include "core/models/resnet.h"

#include "core/common/error.h"

#include <torch/torch.h>

namespace tau::core {

namespace nn = torch::nn;
namespace F = torch::nn::functional;

namespace {

nn::Conv2d conv(int64_t in, int64_t out, int64_t kernel, int64_t stride)
{
    return nn::Conv2d(nn::Conv2dOptions(in, out, kernel).stride(stride).padding(kernel / 2).bias(false));
}

nn::Sequential downsampleIfNeeded(int64_t inPlanes, int64_t outPlanes, int64_t stride)
{
    if (stride == 1 && inPlanes == outPlanes) {
        return nn::Sequential(nullptr);
    }
    return nn::Sequential(conv(inPlanes, outPlanes, 1, stride), SyncableBatchNorm(outPlanes));
}

torch::Tensor maybeDropout(const torch::Tensor& x, double p)
{
    // training(true): MC dropout stays on in eval mode, so repeated passes differ.
    return p > 0 ? F::dropout2d(x, F::Dropout2dFuncOptions().p(p).training(true)) : x;
}

} // namespace

BasicBlockImpl::BasicBlockImpl(int64_t inPlanes, int64_t planes, int64_t stride, double mcDropout)
    : m_conv1(register_module("conv1", conv(inPlanes, planes, 3, stride)))
    , m_conv2(register_module("conv2", conv(planes, planes, 3, 1)))
    , m_bn1(register_module("bn1", SyncableBatchNorm(planes)))
    , m_bn2(register_module("bn2", SyncableBatchNorm(planes)))
    , m_downsample(downsampleIfNeeded(inPlanes, planes * kExpansion, stride))
    , m_mcDropout(mcDropout)
{
    if (m_downsample) {
        register_module("downsample", m_downsample);
    }
}

torch::Tensor BasicBlockImpl::forward(const torch::Tensor& x)
{
    torch::Tensor out = torch::relu(m_bn1->forward(m_conv1->forward(x)));
    out = maybeDropout(out, m_mcDropout);
    out = m_bn2->forward(m_conv2->forward(out));
    return torch::relu(out + (m_downsample ? m_downsample->forward(x) : x));
}

BottleneckImpl::BottleneckImpl(int64_t inPlanes, int64_t planes, int64_t stride, double mcDropout)
    : m_conv1(register_module("conv1", conv(inPlanes, planes, 1, 1)))
    , m_conv2(register_module("conv2", conv(planes, planes, 3, stride)))
    , m_conv3(register_module("conv3", conv(planes, planes * kExpansion, 1, 1)))
    , m_bn1(register_module("bn1", SyncableBatchNorm(planes)))
    , m_bn2(register_module("bn2", SyncableBatchNorm(planes)))
    , m_bn3(register_module("bn3", SyncableBatchNorm(planes * kExpansion)))
    , m_downsample(downsampleIfNeeded(inPlanes, planes * kExpansion, stride))
    , m_mcDropout(mcDropout)
{
    if (m_downsample) {
        register_module("downsample", m_downsample);
    }
}

torch::Tensor BottleneckImpl::forward(const torch::Tensor& x)
{
    torch::Tensor out = torch::relu(m_bn1->forward(m_conv1->forward(x)));
    out = maybeDropout(out, m_mcDropout);
    out = torch::relu(m_bn2->forward(m_conv2->forward(out)));
    out = m_bn3->forward(m_conv3->forward(out));
    return torch::relu(out + (m_downsample ? m_downsample->forward(x) : x));
}

template <typename Block>
nn::Sequential ResNetImpl::makeLayer(int64_t planes, int blocks, int64_t stride, double mcDropout)
{
    nn::Sequential layer;
    for (int i = 0; i < blocks; ++i) {
        layer->push_back(Block(m_inPlanes, planes, i == 0 ? stride : 1, mcDropout));
        m_inPlanes = planes * Block::Impl::kExpansion;
    }
    return layer;
}

ResNetImpl::ResNetImpl(const ResNetOptions& options) : m_conv3x3Stem(options.conv3x3Stem)
{
    if (options.depth != 18 && options.depth != 50) {
        throw TauError("model.encoder: ResNet depth " + std::to_string(options.depth) + " is not supported (18 or 50)");
    }
    m_conv1 = register_module("conv1", options.conv3x3Stem ? conv(options.inChannels, 64, 3, 1)
                                                           : conv(options.inChannels, 64, 7, 2));
    m_bn1 = register_module("bn1", SyncableBatchNorm(64));
    m_maxPool = nn::MaxPool2d(nn::MaxPool2dOptions(3).stride(2).padding(1));
    const double dropout = options.mcDropout ? options.dropout : 0.0;
    const int64_t planes[4] = {64, 128, 256, 512};
    const int64_t strides[4] = {1, 2, 2, 2};
    const int basicCounts[4] = {2, 2, 2, 2};
    const int bottleneckCounts[4] = {3, 4, 6, 3};
    for (int i = 0; i < 4; ++i) {
        m_layers[i] = options.depth == 18 ? makeLayer<BasicBlock>(planes[i], basicCounts[i], strides[i], dropout)
                                          : makeLayer<Bottleneck>(planes[i], bottleneckCounts[i], strides[i], dropout);
        register_module("layer" + std::to_string(i + 1), m_layers[i]);
    }
    m_featureDim = m_inPlanes;
    initialiseWeights();
}

void ResNetImpl::initialiseWeights()
{
    // torchvision's initialisation: He-normal (fan-out) convolutions, BatchNorm at weight 1 and bias 0. The
    // original puts its 3x3 stem in after torchvision's init, so that convolution keeps PyTorch's default
    // (kaiming-uniform, a = sqrt(5)), as it has here from its construction.
    torch::NoGradGuard noGrad;
    for (auto& module : modules(/*include_self=*/false)) {
        if (m_conv3x3Stem && module.get() == m_conv1.ptr().get()) {
            continue;
        }
        if (auto* convolution = module->as<nn::Conv2d>()) {
            nn::init::kaiming_normal_(convolution->weight, 0.0, torch::kFanOut, torch::kReLU);
        } else if (auto* norm = module->as<SyncableBatchNorm>()) {
            nn::init::ones_(norm->weight);
            nn::init::zeros_(norm->bias);
        }
    }
}

torch::Tensor ResNetImpl::forward(const torch::Tensor& images)
{
    torch::Tensor x = torch::relu(m_bn1->forward(m_conv1->forward(images)));
    if (!m_conv3x3Stem) {
        x = m_maxPool->forward(x);
    }
    for (auto& layer : m_layers) {
        x = layer->forward(x);
    }
    return F::adaptive_avg_pool2d(x, F::AdaptiveAvgPool2dFuncOptions(1)).flatten(1);
}

} // namespace tau::core
