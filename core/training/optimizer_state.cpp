#include "core/training/optimizer_state.h"

#define TAU_LIBTORCH_WITH_OPTIM
#include "core/common/error.h"
#include "core/common/libtorch_compat.h"

#include <torch/optim/adam.h>
#include <torch/optim/sgd.h>

#include <string>

namespace tau::core {

namespace {

constexpr const char* kLayoutVersion = "1.5.0"; // what LibTorch's loaders check for

std::unique_ptr<torch::optim::OptimizerParamState> emptyStateOf(const torch::optim::Optimizer& optimizer)
{
    if (dynamic_cast<const torch::optim::Adam*>(&optimizer) != nullptr) {
        return std::make_unique<torch::optim::AdamParamState>();
    }
    if (dynamic_cast<const torch::optim::SGD*>(&optimizer) != nullptr) {
        return std::make_unique<torch::optim::SGDParamState>();
    }
    throw TauError("checkpoint: the optimizer's state can be read for Adam and SGD only");
}

int64_t countIn(torch::serialize::InputArchive& archive, const std::string& key)
{
    torch::Tensor count;
    archive.read(key, count);
    return count.item<int64_t>();
}

} // namespace

void saveOptimizerState(torch::serialize::OutputArchive& archive, const torch::optim::Optimizer& optimizer)
{
    torch::serialize::OutputArchive states(archive.compilation_unit());
    torch::serialize::OutputArchive groups(archive.compilation_unit());
    const auto& paramGroups = optimizer.param_groups();
    groups.write("param_groups/size", torch::tensor(int64_t(paramGroups.size())));
    int64_t position = 0;
    for (size_t g = 0; g < paramGroups.size(); ++g) {
        torch::serialize::OutputArchive group(archive.compilation_unit());
        const std::vector<torch::Tensor>& params = paramGroups[g].params();
        group.write("params/size", torch::tensor(int64_t(params.size())));
        for (size_t i = 0; i < params.size(); ++i) {
            const std::string key = std::to_string(position++);
            group.write("params/" + std::to_string(i), c10::IValue(key));
            const auto found = optimizer.state().find(compat::optimizerStateKey(params[i]));
            if (found != optimizer.state().end()) {
                torch::serialize::OutputArchive state(archive.compilation_unit());
                found->second->serialize(state);
                states.write(key, state);
            }
        }
        torch::serialize::OutputArchive options(archive.compilation_unit());
        paramGroups[g].options().serialize(options);
        group.write("options", options);
        groups.write("param_groups/" + std::to_string(g), group);
    }
    archive.write("pytorch_version", c10::IValue(kLayoutVersion));
    archive.write("state", states);
    archive.write("param_groups", groups);
}

void loadOptimizerState(torch::serialize::InputArchive& archive, torch::optim::Optimizer& optimizer)
{
    torch::serialize::InputArchive states;
    archive.read("state", states);
    torch::serialize::InputArchive groups;
    archive.read("param_groups", groups);
    auto& paramGroups = optimizer.param_groups();
    if (countIn(groups, "param_groups/size") != int64_t(paramGroups.size())) {
        throw TauError("checkpoint: the optimizer's state has another number of parameter groups than the model");
    }
    for (size_t g = 0; g < paramGroups.size(); ++g) {
        torch::serialize::InputArchive group;
        groups.read("param_groups/" + std::to_string(g), group);
        const std::vector<torch::Tensor>& params = paramGroups[g].params();
        if (countIn(group, "params/size") != int64_t(params.size())) {
            throw TauError("checkpoint: the optimizer's parameter group " + std::to_string(g) + " holds " +
                           std::to_string(countIn(group, "params/size")) + " parameters, the model " +
                           std::to_string(params.size()));
        }
        for (size_t i = 0; i < params.size(); ++i) {
            c10::IValue key;
            group.read("params/" + std::to_string(i), key);
            torch::serialize::InputArchive saved;
            if (!states.try_read(key.toStringRef(), saved)) {
                continue; // a parameter that had no step yet
            }
            auto state = emptyStateOf(optimizer);
            state->serialize(saved);
            optimizer.state()[compat::optimizerStateKey(params[i])] = std::move(state);
        }
        torch::serialize::InputArchive options;
        group.read("options", options);
        paramGroups[g].options().serialize(options);
    }
}

} // namespace tau::core
