#include "core/training/checkpoint.h"

#include "core/common/error.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/serialize.h>
#include <torch/torch.h>

#include <cstdio>
#include <filesystem>

namespace tau::core {

namespace {

constexpr int64_t kFormatVersion = 1;

torch::Tensor scalar(int64_t value)
{
    return torch::tensor(value, torch::kLong);
}

} // namespace

void saveCheckpoint(const std::string& path, torch::nn::Module& model, torch::optim::Optimizer* optimizer,
                    const TrainingPosition& position, const ExtrasWriter& extras)
{
    const std::string temporary = path + ".tmp";
    try {
        torch::serialize::OutputArchive archive;
        torch::serialize::OutputArchive modelArchive;
        model.save(modelArchive);
        archive.write("model", modelArchive);
        if (optimizer != nullptr) {
            torch::serialize::OutputArchive optimizerArchive;
            optimizer->save(optimizerArchive);
            archive.write("optimizer", optimizerArchive);
        }
        if (extras) {
            torch::serialize::OutputArchive extrasArchive;
            extras(extrasArchive);
            archive.write("objective", extrasArchive);
        }
        archive.write("format_version", scalar(kFormatVersion));
        const auto parameters = model.parameters();
        const bool float64 = !parameters.empty() && parameters.front().scalar_type() == torch::kDouble;
        archive.write("float64", scalar(float64 ? 1 : 0)); // absent in older checkpoints: float32
        archive.write("step", scalar(position.step));
        archive.write("epoch", scalar(position.epoch));
        archive.write("step_in_epoch", scalar(position.stepInEpoch));
        archive.write("rng_state", at::detail::getDefaultCPUGenerator().get_state());
        archive.save_to(temporary);
    } catch (const std::exception& error) {
        std::remove(temporary.c_str());
        throw TauError(path + ": cannot write the checkpoint (disk full or no permission?): " + error.what());
    }
    if (std::rename(temporary.c_str(), path.c_str()) != 0) {
        std::remove(temporary.c_str());
        throw TauError(path + ": cannot replace the checkpoint file");
    }
}

TrainingPosition loadCheckpoint(const std::string& path, torch::nn::Module& model, torch::optim::Optimizer* optimizer,
                                const ExtrasReader& extras)
{
    if (!std::filesystem::exists(path)) {
        throw DataError(path + ": checkpoint not found");
    }
    TrainingPosition position;
    try {
        torch::serialize::InputArchive archive;
        archive.load_from(path);
        torch::serialize::InputArchive modelArchive;
        archive.read("model", modelArchive);
        // Module::load keeps each tensor's type and takes the file's bytes, so the model must first have the
        // checkpoint's precision. A float64 run's weights are then cast for a float32 evaluation model (and stay
        // float64 for the run's own resume).
        torch::Tensor float64;
        const bool stored64 = archive.try_read("float64", float64) && float64.item<int64_t>() == 1;
        const auto parameters = model.parameters();
        const auto precision = parameters.empty() ? torch::kFloat : parameters.front().scalar_type();
        const auto stored = stored64 ? torch::kDouble : torch::kFloat;
        if (stored != precision) {
            model.to(stored);
        }
        model.load(modelArchive);
        if (stored != precision) {
            model.to(precision);
        }
        torch::Tensor value;
        archive.read("step", value);
        position.step = value.item<int64_t>();
        archive.read("epoch", value);
        position.epoch = int(value.item<int64_t>());
        archive.read("step_in_epoch", value);
        position.stepInEpoch = int(value.item<int64_t>());
        if (optimizer != nullptr) {
            torch::serialize::InputArchive optimizerArchive;
            archive.read("optimizer", optimizerArchive);
            optimizer->load(optimizerArchive);
            if (extras) {
                torch::serialize::InputArchive extrasArchive;
                archive.read("objective", extrasArchive);
                extras(extrasArchive);
            }
            torch::Tensor rngState;
            archive.read("rng_state", rngState);
            auto generator = at::detail::getDefaultCPUGenerator();
            std::lock_guard<std::mutex> lock(generator.mutex());
            generator.set_state(rngState);
        }
    } catch (const c10::Error& error) {
        // c10 messages carry a long C++ backtrace; the first line says what went wrong.
        const std::string message = error.what_without_backtrace();
        throw DataError(path + ": not a readable TaU Explorer checkpoint for this model (truncated, corrupt or from "
                               "another config): " +
                        message.substr(0, message.find('\n')));
    }
    return position;
}

} // namespace tau::core
