#include "core/training/checkpoint.h"

#include "core/io/durable_file.h"
#include "core/training/optimizer_state.h"
#include "core/io/memory_stream.h"
#include "core/io/torch_archive.h"

#include "core/common/error.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/serialize.h>
#include <torch/torch.h>

#include <map>

#include <cstdio>
#include <filesystem>

namespace tau::core {

namespace {

constexpr int64_t kFormatVersion = 1;

torch::Tensor scalar(int64_t value)
{
    return torch::tensor(value, torch::kLong);
}

/** FNV-1a over the bytes of every parameter and buffer, in name order: catches bit flips in stored weights. */
uint64_t checksumOf(torch::nn::Module& model)
{
    uint64_t hash = 0xcbf29ce484222325ULL;
    const auto mix = [&hash](const torch::Tensor& tensor) {
        const torch::Tensor bytes = tensor.detach().to(torch::kCPU).contiguous();
        const auto* data = static_cast<const unsigned char*>(bytes.data_ptr());
        for (size_t i = 0, n = size_t(bytes.nbytes()); i < n; ++i) {
            hash = (hash ^ data[i]) * 0x100000001b3ULL;
        }
    };
    for (const auto& item : model.named_parameters()) {
        mix(item.value());
    }
    for (const auto& item : model.named_buffers()) {
        mix(item.value());
    }
    return hash;
}

} // namespace

void saveCheckpoint(const std::string& path, torch::nn::Module& model, torch::optim::Optimizer* optimizer,
                    const TrainingPosition& position, const ExtrasWriter& extras)
{
    torch::serialize::OutputArchive archive;
    try {
        torch::serialize::OutputArchive modelArchive;
        model.save(modelArchive);
        archive.write("model", modelArchive);
        if (optimizer != nullptr) {
            torch::serialize::OutputArchive optimizerArchive;
            saveOptimizerState(optimizerArchive, *optimizer);
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
        archive.write("model_checksum", scalar(int64_t(checksumOf(model))));
        archive.write("step", scalar(position.step));
        archive.write("epoch", scalar(position.epoch));
        archive.write("step_in_epoch", scalar(position.stepInEpoch));
        archive.write("rng_state", at::detail::getDefaultCPUGenerator().get_state());
    } catch (const c10::Error& error) {
        const std::string message = error.what_without_backtrace();
        throw TauError(path + ": cannot build the checkpoint: " + message.substr(0, message.find('\n')));
    }
    // Through a temporary file, fsync and rename: a kill or a full disk leaves the previous checkpoint whole.
    // The sink reports every byte as written: a short count makes LibTorch throw from a destructor, which aborts.
    writeFileDurably(path, [&](const auto& sink) {
        archive.save_to([&](const void* data, size_t size) {
            sink(data, size);
            return size;
        });
    });
}

namespace {

std::string shapeText(const std::vector<int64_t>& shape)
{
    std::string text = "[";
    for (size_t i = 0; i < shape.size(); ++i) {
        text += (i > 0 ? ", " : "") + std::to_string(shape[i]);
    }
    return text + "]";
}

/** Every parameter's and buffer's shape, by name: what a config builds, or what a file put there. */
using Shapes = std::map<std::string, std::vector<int64_t>>;

Shapes shapesOf(torch::nn::Module& model)
{
    Shapes shapes;
    for (const auto& item : model.named_parameters()) {
        shapes[item.key()] = item.value().sizes().vec();
    }
    for (const auto& item : model.named_buffers()) {
        shapes[item.key()] = item.value().sizes().vec();
    }
    return shapes;
}

/** @throws DataError listing every tensor whose shape in the file differs from the model's. */
void checkShapes(const std::string& path, const Shapes& expected, torch::nn::Module& model)
{
    Shapes loaded = shapesOf(model);
    std::string mismatches;
    int count = 0;
    for (const auto& [name, shape] : expected) {
        if (loaded[name] != shape) {
            if (++count <= 6) {
                mismatches += std::string(count > 1 ? "; " : "") + name + " is " + shapeText(loaded[name]) +
                              " in the file, " + shapeText(shape) + " in the model";
            }
        }
    }
    if (count > 0) {
        throw DataError(path + ": a checkpoint of another architecture than its config describes (" +
                        std::to_string(count) + " tensors differ: " + mismatches + (count > 6 ? "; ..." : "") +
                        "); evaluate it with the config it was trained with");
    }
}

} // namespace

TrainingPosition loadCheckpoint(const std::string& path, torch::nn::Module& model, torch::optim::Optimizer* optimizer,
                                const ExtrasReader& extras)
{
    if (!std::filesystem::exists(path)) {
        throw DataError(path + ": checkpoint not found");
    }
    // LibTorch reads records without their checksums (a flipped bit would load as a changed weight) and allocates
    // what the file declares: the audit checks both first, and LibTorch then reads the very bytes audited.
    std::vector<uint8_t> bytes;
    const TorchArchiveAudit audit = auditTorchFile(path, &bytes);
    if (!audit.problem.empty()) {
        throw DataError(path + ": not a readable TaU Explorer checkpoint: " + audit.problem);
    }
    if (const std::vector<std::string> programs = recordsDefiningFunctions(audit); !programs.empty()) {
        throw DataError(path + ": not a TaU Explorer checkpoint: it holds code (" + programs.front() +
                        " defines functions), where a checkpoint holds only tensors and numbers; tau never runs it");
    }
    TrainingPosition position;
    try {
        torch::serialize::InputArchive archive;
        MemoryInputStream stream(bytes);
        archive.load_from(stream);
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
        // Module::load takes each tensor's shape from the file: compare with what the config built.
        const Shapes expected = shapesOf(model);
        model.load(modelArchive);
        checkShapes(path, expected, model);
        torch::Tensor checksum; // absent in checkpoints written before it existed
        if (archive.try_read("model_checksum", checksum) && uint64_t(checksum.item<int64_t>()) != checksumOf(model)) {
            throw DataError(path + ": damaged: its weights do not match the checksum written with them (changed on "
                                   "disk or in transfer); use another checkpoint of the run, e.g. checkpoints/epoch_*.pt");
        }
        if (stored != precision) {
            model.to(precision);
        }
        // Loading takes each tensor's layout from the file: a run trained channels_last on a GPU would hand its
        // NHWC weights to a CPU evaluation. A loaded model is contiguous; training lays it out again as it runs.
        torch::NoGradGuard noGrad;
        for (torch::Tensor& parameter : model.parameters()) {
            if (!parameter.is_contiguous()) {
                parameter.set_data(parameter.contiguous());
            }
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
            loadOptimizerState(optimizerArchive, *optimizer);
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
