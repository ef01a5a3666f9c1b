#include "core/training/optimizer_factory.h"

#include <torch/torch.h>

namespace tau::core {

namespace {

constexpr double kLarsEpsilon = 1e-8;

std::unique_ptr<torch::optim::OptimizerOptions> groupOptions(const OptimizerConfig& config, double weightDecay)
{
    if (config.name == "sgd") {
        return std::make_unique<torch::optim::SGDOptions>(
            torch::optim::SGDOptions(config.learningRate).momentum(config.momentum).weight_decay(weightDecay));
    }
    return std::make_unique<torch::optim::AdamOptions>(
        torch::optim::AdamOptions(config.learningRate).weight_decay(weightDecay));
}

double weightDecayOf(torch::optim::OptimizerParamGroup& group)
{
    if (auto* adam = dynamic_cast<torch::optim::AdamOptions*>(&group.options())) {
        return adam->weight_decay();
    }
    return static_cast<torch::optim::SGDOptions&>(group.options()).weight_decay();
}

void setWeightDecay(torch::optim::OptimizerParamGroup& group, double weightDecay)
{
    if (auto* adam = dynamic_cast<torch::optim::AdamOptions*>(&group.options())) {
        adam->weight_decay(weightDecay);
    } else {
        static_cast<torch::optim::SGDOptions&>(group.options()).weight_decay(weightDecay);
    }
}

} // namespace

ConfiguredOptimizer::ConfiguredOptimizer(const OptimizerConfig& config, const std::vector<torch::Tensor>& parameters)
    : m_lars(config.lars)
    , m_eta(config.larsEta)
{
    std::vector<torch::Tensor> regular, excluded;
    for (const torch::Tensor& parameter : parameters) {
        // Biases and BatchNorm weights are the 1-D parameters of these models.
        (config.excludeBnBias && parameter.dim() <= 1 ? excluded : regular).push_back(parameter);
    }
    std::vector<torch::optim::OptimizerParamGroup> groups;
    groups.emplace_back(regular, groupOptions(config, config.weightDecay));
    if (!excluded.empty()) {
        groups.emplace_back(excluded, groupOptions(config, 0.0));
        if (!config.larsOnExcluded) {
            m_excludedGroups.insert(1); // ours: neither weight decay nor LARS; the original's: no weight decay only
        }
    }
    if (config.name == "sgd") {
        m_inner = std::make_unique<torch::optim::SGD>(groups, torch::optim::SGDOptions(config.learningRate));
    } else {
        m_inner = std::make_unique<torch::optim::Adam>(groups, torch::optim::AdamOptions(config.learningRate));
    }
}

void ConfiguredOptimizer::setLearningRate(double learningRate)
{
    for (auto& group : m_inner->param_groups()) {
        group.options().set_lr(learningRate);
    }
}

void ConfiguredOptimizer::step()
{
    if (!m_lars) {
        m_inner->step();
        return;
    }
    std::vector<double> weightDecays;
    for (auto& group : m_inner->param_groups()) {
        weightDecays.push_back(weightDecayOf(group));
    }
    applyLars();
    for (auto& group : m_inner->param_groups()) {
        setWeightDecay(group, 0.0);
    }
    m_inner->step();
    for (size_t i = 0; i < weightDecays.size(); ++i) {
        setWeightDecay(m_inner->param_groups()[i], weightDecays[i]);
    }
}

void ConfiguredOptimizer::applyLars()
{
    torch::NoGradGuard noGrad;
    auto& groups = m_inner->param_groups();
    for (size_t g = 0; g < groups.size(); ++g) {
        if (m_excludedGroups.count(g)) {
            continue;
        }
        const double weightDecay = weightDecayOf(groups[g]);
        for (auto& parameter : groups[g].params()) {
            torch::Tensor& gradient = parameter.mutable_grad();
            if (!gradient.defined()) {
                continue;
            }
            // The trust ratio stays on the device (norms in float, the ratio in double, as LARS's reference): reading
            // two norms back per parameter would make every step wait on the GPU dozens of times.
            const torch::Tensor parameterNorm = parameter.norm().to(torch::kDouble);
            const torch::Tensor gradientNorm = gradient.norm().to(torch::kDouble);
            const torch::Tensor trust = m_eta * parameterNorm / (gradientNorm + parameterNorm * weightDecay + kLarsEpsilon);
            const torch::Tensor applies = (parameterNorm > 0.0).logical_and(gradientNorm > 0.0); // else left as it is
            gradient.copy_(torch::where(applies, gradient.add(parameter, weightDecay).mul_(trust), gradient));
        }
    }
}

} // namespace tau::core
