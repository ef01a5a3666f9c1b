#pragma once

#include <yaml-cpp/node/node.h>

#include <functional>
#include <string>
#include <utility>
#include <vector>

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

/**
 * The edits that set our @p keyPath to @p value in a config of the original layout, in its own keys and values
 * (system tau_simclr -> TaU_SimCLRSystem, model.encoder -> model.base_model, device -> cuda and gpu_device, ...),
 * so a form edit keeps the file in the original's layout. Keys both layouts share map to themselves.
 */
std::vector<std::pair<std::string, std::string>> originalLayoutEdits(const std::string& keyPath, const std::string& value);

} // namespace tau::core
