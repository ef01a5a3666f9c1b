#pragma once

#include "core/schema/experiment_config.h"

#include <torch/optim/optimizer.h>

#include <memory>
#include <set>

namespace tau::core {

/**
 * The configured optimizer: Adam or SGD with momentum, optionally wrapped in LARS (You et al.), optionally
 * with biases and normalisation weights (every 1-D parameter) in a group without weight decay or LARS.
 *
 * LARS as in the original's wrapper: for each parameter p with gradient g and the group's weight decay wd,
 * when |p| and |g| are non-zero, g <- (g + wd p) * eta |p| / (|g| + wd |p| + 1e-8); the inner optimizer then
 * steps with its own weight decay set to 0 (it is folded in already). No clipping.
 */
class ConfiguredOptimizer
{
public:
    ConfiguredOptimizer(const OptimizerConfig& config, const std::vector<torch::Tensor>& parameters);

    void zeroGrad() { m_inner->zero_grad(); }
    void step();
    void setLearningRate(double learningRate);
    torch::optim::Optimizer& inner() { return *m_inner; }

private:
    void applyLars();

    std::unique_ptr<torch::optim::Optimizer> m_inner;
    bool m_lars;
    double m_eta;
    std::set<size_t> m_excludedGroups; ///< groups that get neither weight decay nor LARS
};

} // namespace tau::core
