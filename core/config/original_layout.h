#pragma once

#include <yaml-cpp/node/node.h>

#include <functional>
#include <string>

namespace tau::core {

/** True when @p root is a config of the original TaU repository (its `system` names a *System class). */
bool isOriginalLayout(const YAML::Node& root);

/**
 * Rewrites a config of the original repository's JSON layout into ours, in place, keeping each value's line:
 * the system class becomes a system name, exp_base becomes runs_dir, cuda/gpu_device the device,
 * model.base_model the encoder (dp_resnet18: MC dropout), model.encoder {exp_dir, checkpoint_name} the frozen
 * encoder of post-hoc TaU, optimizer.moco_scheduler the schedule; the pretraining systems get LARS as there.
 * Keys the original reads but that mean nothing here (num_workers, two_views, ...) are dropped, with a note
 * through @p note. @throws ConfigError for values that cannot work offline (a downloaded pretrained encoder).
 */
void translateOriginalLayout(YAML::Node root, const std::string& source,
                             const std::function<void(const std::string&)>& note);

} // namespace tau::core
